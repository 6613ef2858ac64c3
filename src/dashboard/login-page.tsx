/** The sign-in form: the operator pastes the API token once and gets a signed session cookie. */
import { Layout } from "./layout";

export function LoginPage(props: { error?: string }) {
  return (
    <Layout title="Sign in" signedIn={false}>
      <form class="login" method="post" action="/login">
        <h1>Sign in</h1>
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="current-password"
          required
          maxlength={512}
        />
        {props.error ? (
          <p class="error" role="alert">
            {props.error}
          </p>
        ) : null}
        <button type="submit">Sign in</button>
      </form>
    </Layout>
  );
}
