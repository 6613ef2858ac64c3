/**
 * A course's change log on its page, newest first and paged: what changed, on which item, and per field the old
 * and new values the deep tier recorded (cut to a readable length; long bodies show the diff summary instead).
 * Everything is text from Canvas, escaped by JSX.
 */
import type { ChangeLogEntry, FieldChange } from "../storage/d1/change-log";
import { formatTimestamp } from "./format";

const VALUE_CHARS = 160;

function show(value: unknown): string {
  if (value === undefined) return "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS)}…` : text;
}

function FieldValues(props: { change: FieldChange }) {
  const { change } = props;
  return (
    <li>
      <span class="field">{change.field}</span>
      {change.summary !== undefined ? <span class="muted">{` ${change.summary}`}</span> : null}
      {"old" in change ? <del>{show(change.old)}</del> : null}
      {"new" in change ? <ins>{show(change.new)}</ins> : null}
    </li>
  );
}

export function ChangeLog(props: {
  changes: ChangeLogEntry[];
  olderHref: string | null;
  newestHref: string | null;
}) {
  if (props.changes.length === 0) return <p class="muted">No change recorded yet.</p>;
  return (
    <>
      <table id="change-log" class="stack">
        <thead>
          <tr>
            <th>When</th>
            <th>Change</th>
            <th>Type</th>
            <th>Item</th>
            <th>Fields (old → new)</th>
          </tr>
        </thead>
        <tbody>
          {props.changes.map((change) => (
            <tr data-change-id={String(change.id)}>
              <td data-label="When">{formatTimestamp(change.at)}</td>
              <td data-label="Change">{change.kind.replace(/_/g, " ")}</td>
              <td data-label="Type">{change.type ?? ""}</td>
              <td data-label="Item" title={change.itemId}>
                {change.title ?? change.itemId}
              </td>
              <td data-label="Fields">
                {change.fields.length === 0 ? (
                  <span class="muted">—</span>
                ) : (
                  <ul class="fields">
                    {change.fields.map((field) => (
                      <FieldValues change={field} />
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav class="pager" id="change-log-pager">
        {props.newestHref ? <a href={props.newestHref}>← Newest changes</a> : null}
        {props.olderHref ? <a href={props.olderHref}>Older changes →</a> : null}
      </nav>
    </>
  );
}
