import type { EntityFragment, MappingFragment } from '../generated/graphql';
import { enumLabel } from '../ui/format';
import { TableScroll } from '../ui/table-scroll';
import { Value } from '../ui/values';

/** When a field or constant is written, in the page's words. */
const written = (apply: 'ON_CREATE' | 'ALWAYS'): string =>
  apply === 'ON_CREATE' ? 'When created' : 'On every write';

/**
 * A mapping field by field (source → target, transform, default, when written), then the values it sets
 * by itself.
 */
export function MappingTables({ mapping, source }: { mapping: MappingFragment; source: EntityFragment }) {
  const from = `${enumLabel(source.system)} ${source.entitySet}`;
  const to = `${enumLabel(mapping.target.system)} ${mapping.target.entitySet}`;
  return (
    <div className="mapping">
      {/* The heading leaves out the entity sets, which would repeat the flows' own headings' words. */}
      <h3>Mapping “{mapping.name}”</h3>
      <p>
        {from} → {to}. {mapping.description}
      </p>
      <p>
        A record is the same in both systems when <code>{mapping.key.source}</code> equals{' '}
        <code>{mapping.key.target}</code>.
      </p>
      <TableScroll caption={`${mapping.name}: fields from ${from} to ${to}`}>
        <thead>
          <tr>
            <th scope="col">Source field</th>
            <th scope="col">Target field</th>
            <th scope="col">Transform</th>
            <th scope="col">Default</th>
            <th scope="col">Written</th>
          </tr>
        </thead>
        <tbody>
          {mapping.fields.map((field) => (
            <tr key={field.target}>
              <td>
                <code>{field.source}</code>
              </td>
              <td>
                <code>{field.target}</code>
                {field.description && <p className="hint">{field.description}</p>}
              </td>
              <td>
                {field.transform}
                {field.transformDetail && <> ({field.transformDetail})</>}
              </td>
              <td>
                {field.defaultFrom ? (
                  <>
                    <code>{field.defaultFrom}</code> when blank{field.default && <>, else {field.default}</>}
                  </>
                ) : (
                  <Value value={field.default} />
                )}
              </td>
              <td>{written(field.apply)}</td>
            </tr>
          ))}
        </tbody>
      </TableScroll>
      {mapping.constants.length > 0 && (
        <TableScroll caption={`${mapping.name}: constants, values set without a source field`}>
          <thead>
            <tr>
              <th scope="col">Target field</th>
              <th scope="col">Value</th>
              <th scope="col">Written</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {mapping.constants.map((constant) => (
              <tr key={constant.target}>
                <td>
                  <code>{constant.target}</code>
                </td>
                <td>{constant.value === null ? 'null' : constant.value}</td>
                <td>{written(constant.apply)}</td>
                <td>
                  <Value value={constant.description} />
                </td>
              </tr>
            ))}
          </tbody>
        </TableScroll>
      )}
    </div>
  );
}
