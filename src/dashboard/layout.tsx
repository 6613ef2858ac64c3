/**
 * The page shell shared by every dashboard page: head, navigation, sign-out, a one-line notice after an action,
 * the stylesheet and the live script. The navigation is the list NAV_ITEMS: a new page adds one entry there.
 * Every page says that its times are UTC.
 */
import type { Child } from "hono/jsx";
import { html } from "hono/html";
import { CSRF_FIELD } from "../http/csrf";

export interface NavItem {
  href: string;
  label: string;
  /** the key pages pass as `active` to highlight their entry */
  key: string;
}

/** The dashboard's sections, in menu order. Add an entry (and its route) to extend the navigation. */
export const NAV_ITEMS: NavItem[] = [
  { href: "/", label: "Courses", key: "courses" },
  { href: "/conflicts", label: "Conflicts", key: "conflicts" },
  { href: "/search", label: "Search", key: "search" },
  { href: "/docs", label: "API reference", key: "docs" },
  { href: "/metrics", label: "Metrics", key: "metrics" },
];

/** What an action left to say, by code (never text from the request, so nothing can be reflected). */
export const NOTICES: Record<string, { text: string; tone: "ok" | "error" }> = {
  registered: { text: "Course registered; its first sync is queued.", tone: "ok" },
  already_registered: { text: "That course is already registered.", tone: "error" },
  sync_requested: { text: "Sync queued.", tone: "ok" },
  removed: { text: "Course removed: its syncs are stopped.", tone: "ok" },
  purged: {
    text: "Course removed and its mirrored content deleted (blobs after the grace period).",
    tone: "ok",
  },
  not_registered: { text: "That course is not registered.", tone: "error" },
  resolved: { text: "Conflict resolved.", tone: "ok" },
  conflict_missing: { text: "That conflict no longer exists.", tone: "error" },
  invalid: { text: "The form was incomplete or invalid; nothing was changed.", tone: "error" },
};

export function Layout(props: {
  title: string;
  children?: Child;
  signedIn?: boolean;
  active?: string;
  notice?: string | undefined;
}) {
  const signedIn = props.signedIn ?? true;
  const notice = props.notice ? NOTICES[props.notice] : undefined;
  return (
    <>
      {html`<!doctype html>`}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${props.title} · canvas-sync`}</title>
          <link rel="stylesheet" href="/ui/style.css" />
          <link rel="icon" href="/ui/favicon.svg" type="image/svg+xml" />
        </head>
        <body>
          <header>
            <a class="brand" href="/">
              canvas-sync
            </a>
            {signedIn ? (
              <>
                <nav id="main-nav">
                  {NAV_ITEMS.map((item) => (
                    <a
                      href={item.href}
                      class={item.key === props.active ? "active" : undefined}
                      aria-current={item.key === props.active ? "page" : undefined}
                    >
                      {item.label}
                    </a>
                  ))}
                </nav>
                <form method="post" action="/logout">
                  <button type="submit">Sign out</button>
                </form>
              </>
            ) : null}
          </header>
          <main>
            {notice ? (
              <p class={`notice ${notice.tone}`} role="status" id="notice">
                {notice.text}
              </p>
            ) : null}
            {props.children}
          </main>
          <footer class="muted">All times are UTC.</footer>
          {signedIn ? <script src="/ui/app.js" defer /> : null}
        </body>
      </html>
    </>
  );
}

export function Badge(props: { value: string }) {
  return <span class={`badge ${props.value}`}>{props.value.replace(/_/g, " ")}</span>;
}

/** The hidden CSRF field every dashboard form carries (src/http/csrf.ts). */
export function CsrfField(props: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={props.token} />;
}

/** A one-button form that POSTs to `action` with the CSRF token (and optional hidden fields). */
export function ActionButton(props: {
  action: string;
  csrf: string;
  label: string;
  fields?: Record<string, string>;
  tone?: "danger";
  id?: string;
}) {
  return (
    <form method="post" action={props.action} class="inline" {...(props.id ? { id: props.id } : {})}>
      <CsrfField token={props.csrf} />
      {Object.entries(props.fields ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class={props.tone === "danger" ? "danger" : ""}>
        {props.label}
      </button>
    </form>
  );
}
