/** The page shell shared by every dashboard page: head, navigation, logout, the stylesheet and the live script. */
import type { Child } from "hono/jsx";
import { html } from "hono/html";

export function Layout(props: { title: string; children?: Child; signedIn?: boolean }) {
  const signedIn = props.signedIn ?? true;
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
                <a href="/">Courses</a>
                <a href="/search">Search</a>
                <a href="/docs">API reference</a>
                <a href="/metrics">Metrics</a>
                <form method="post" action="/logout">
                  <button type="submit">Sign out</button>
                </form>
              </>
            ) : null}
          </header>
          <main>{props.children}</main>
          {signedIn ? <script src="/ui/app.js" defer /> : null}
        </body>
      </html>
    </>
  );
}

export function Badge(props: { value: string }) {
  return <span class={`badge ${props.value}`}>{props.value.replace(/_/g, " ")}</span>;
}
