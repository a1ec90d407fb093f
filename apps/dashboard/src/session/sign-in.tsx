import { type FormEvent, useId, useState } from "react";

/**
 * The sign-in screen: an API key (`keel_...`), sent as `Authorization: Bearer <key>` on
 * every call. `problem` says why the last attempt failed; `onCancel` exists when the
 * service runs without authentication and the key is optional.
 */
export function SignIn(props: { problem?: string; onSubmit(key: string): void; onCancel?: () => void }) {
  const [key, setKey] = useState("");
  const inputId = useId();
  const hintId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (key.trim() !== "") props.onSubmit(key.trim());
  };
  return (
    <main className="sign-in">
      <h1>Keel dashboard</h1>
      <form onSubmit={submit} aria-labelledby={`${inputId}-title`}>
        <h2 id={`${inputId}-title`}>Sign in</h2>
        <label htmlFor={inputId}>API key</label>
        <input
          id={inputId}
          name="apiKey"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          aria-describedby={hintId}
          aria-invalid={props.problem === undefined ? undefined : true}
          value={key}
          onChange={(event) => setKey(event.target.value)}
        />
        <p id={hintId} className="hint">
          A key from your operator (<code>pnpm keel keys create</code>). Reviewers and admins see the review queue.
        </p>
        {props.problem === undefined ? null : (
          <p role="alert" className="error">
            {props.problem}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="primary">
            Sign in
          </button>
          {props.onCancel === undefined ? null : (
            <button type="button" onClick={props.onCancel}>
              Continue without a key
            </button>
          )}
        </div>
      </form>
    </main>
  );
}
