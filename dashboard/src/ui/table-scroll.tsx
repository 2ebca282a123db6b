import { useId, type ReactNode } from 'react';

/**
 * A table with its caption, in a box that scrolls sideways when the window is narrower than the table.
 * The box is a keyboard stop named by the caption, so it can be scrolled without a mouse.
 */
export function TableScroll({
  caption,
  className,
  children,
}: {
  caption: ReactNode;
  className?: string;
  children: ReactNode;
}) {
  const captionId = useId();
  return (
    <div className="table-scroll" role="region" aria-labelledby={captionId} tabIndex={0}>
      <table className={className}>
        <caption id={captionId}>{caption}</caption>
        {children}
      </table>
    </div>
  );
}
