/**
 * Near-duplicate conflicts: the list (open or resolved, paged, with score and both sides) and one conflict with
 * both texts side by side, the exact similarity, the reason, and the decisions an operator can record (keep both,
 * mark one side as the canonical copy, ignore). All Canvas text is escaped by JSX.
 */
import type { DuplicateView } from "../storage/d1/conflicts";
import type { ItemText } from "../storage/d1/item-texts";
import { formatTimestamp } from "./format";
import { ActionButton, Badge, Layout } from "./layout";

function Side(props: { side: DuplicateView["a"] }) {
  const { side } = props;
  return (
    <span>
      <a href={`/courses/${side.canvasCourseId}`}>{side.canvasCourseId}</a>{" "}
      <span class="muted">{side.type ?? ""}</span> {side.title ?? side.itemId}
      {side.deleted ? <span class="muted"> (deleted)</span> : null}
    </span>
  );
}

export function ConflictsPage(props: {
  status: "open" | "resolved";
  conflicts: DuplicateView[];
  nextHref: string | null;
  notice?: string | undefined;
}) {
  return (
    <Layout title="Conflicts" active="conflicts" notice={props.notice}>
      <h1>Near-duplicate conflicts</h1>
      <nav class="tabs" id="conflict-tabs">
        <a href="/conflicts?status=open" class={props.status === "open" ? "active" : ""}>
          Open
        </a>
        <a href="/conflicts?status=resolved" class={props.status === "resolved" ? "active" : ""}>
          Resolved
        </a>
      </nav>
      {props.conflicts.length === 0 ? (
        <p class="muted">{props.status === "open" ? "No open conflict." : "No resolved conflict yet."}</p>
      ) : (
        <table id="conflicts" class="stack">
          <thead>
            <tr>
              <th class="num">Similarity</th>
              <th>One side</th>
              <th>Other side</th>
              <th>Raised</th>
              <th>{props.status === "open" ? "" : "Decision"}</th>
            </tr>
          </thead>
          <tbody>
            {props.conflicts.map((conflict) => (
              <tr data-conflict-id={String(conflict.id)}>
                <td data-label="Similarity" class="num">
                  {`${Math.round(conflict.score * 100)}%`}
                </td>
                <td data-label="One side">
                  <Side side={conflict.a} />
                </td>
                <td data-label="Other side">
                  <Side side={conflict.b} />
                </td>
                <td data-label="Raised">{formatTimestamp(Date.parse(conflict.createdAt))}</td>
                <td data-label="Open">
                  <a href={`/conflicts/${conflict.id}`}>
                    {conflict.resolution ? conflict.resolution.replace(/_/g, " ") : "Compare and resolve →"}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.nextHref ? (
        <nav class="pager">
          <a href={props.nextHref}>More conflicts →</a>
        </nav>
      ) : null}
    </Layout>
  );
}

function TextColumn(props: { side: DuplicateView["a"]; text: ItemText; canonical: boolean }) {
  return (
    <section class="side" data-item-id={props.side.itemId}>
      <h2>
        <Side side={props.side} /> {props.canonical ? <Badge value="canonical" /> : null}
      </h2>
      {props.text.text === null ? (
        <p class="muted">The text is not available (the item was deleted or its text is gone).</p>
      ) : (
        <pre class="text">{props.text.text}</pre>
      )}
      {props.text.truncated ? <p class="muted">Only the beginning of a long text is shown.</p> : null}
    </section>
  );
}

export function ConflictPage(props: {
  conflict: DuplicateView;
  a: ItemText;
  b: ItemText;
  csrf: string | null;
  notice?: string | undefined;
}) {
  const { conflict, csrf } = props;
  const action = `/conflicts/${conflict.id}/resolve`;
  return (
    <Layout title={`Conflict ${conflict.id}`} active="conflicts" notice={props.notice}>
      <h1>
        {`Conflict ${conflict.id}: ${Math.round(conflict.score * 1000) / 10}% similar`}{" "}
        <Badge value={conflict.status} />
      </h1>
      <p class="muted" id="conflict-reason">
        {conflict.reason}
      </p>
      {conflict.resolution ? (
        <p id="conflict-decision">
          {`Decided: ${conflict.resolution.replace(/_/g, " ")}`}
          {conflict.resolvedAt ? ` on ${formatTimestamp(Date.parse(conflict.resolvedAt))}` : ""}
          {". It is raised again only if one side's text changes."}
        </p>
      ) : null}
      {csrf && conflict.kind === "near_text" ? (
        <div class="actions" id="resolve-actions">
          <ActionButton action={action} csrf={csrf} label="Keep both" fields={{ resolution: "keep_both" }} />
          <ActionButton
            action={action}
            csrf={csrf}
            label="Left is the original"
            fields={{ resolution: "mark_duplicate", canonicalItemId: conflict.a.itemId }}
          />
          <ActionButton
            action={action}
            csrf={csrf}
            label="Right is the original"
            fields={{ resolution: "mark_duplicate", canonicalItemId: conflict.b.itemId }}
          />
          <ActionButton action={action} csrf={csrf} label="Ignore" fields={{ resolution: "ignore" }} />
        </div>
      ) : null}
      <div class="compare" id="compare">
        <TextColumn
          side={conflict.a}
          text={props.a}
          canonical={conflict.canonicalItemId === conflict.a.itemId}
        />
        <TextColumn
          side={conflict.b}
          text={props.b}
          canonical={conflict.canonicalItemId === conflict.b.itemId}
        />
      </div>
    </Layout>
  );
}
