import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { createHubSession } from './session/hub-session';
import './styles.css';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no element with id "root"');
createRoot(root).render(
  <StrictMode>
    <App hub={createHubSession()} />
  </StrictMode>,
);
