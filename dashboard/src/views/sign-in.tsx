// Sign-in: the admin token is checked with GET /api/sites before it is kept for the session.
import { useEffect, useRef, useState } from 'hono/jsx/dom'
import { api } from '../api/endpoints'
import { errorText } from '../api/client'
import { session } from '../store'

export function SignIn({ notice }: { notice: string }) {
  const [token, setToken] = useState('')
  const [error, setError] = useState(notice)
  const [busy, setBusy] = useState(false)
  const input = useRef<HTMLInputElement>(null)
  useEffect(() => {
    document.title = 'Sign in · Cairn'
    input.current?.focus()
  }, [])
  const submit = async (event: Event) => {
    event.preventDefault()
    const value = token.trim()
    if (!value) return setError('Enter the admin token.')
    setBusy(true)
    setError('')
    try {
      const { sites } = await api.sites(undefined, value)
      setToken('')
      session.signIn(value, sites)
    } catch (failure) {
      setError(errorText(failure))
      input.current?.select()
    } finally {
      setBusy(false)
    }
  }
  return (
    <section id="sign-in-view" class="card narrow" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      <p class="muted">
        Enter the admin token of this Worker (the <code>ADMIN_TOKEN</code> secret).
      </p>
      <form id="sign-in-form" novalidate onSubmit={submit}>
        <label for="token">Admin token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="current-password"
          required
          ref={input}
          value={token}
          onInput={(e: Event) => setToken((e.target as HTMLInputElement).value)}
        />
        <p id="sign-in-error" class="error" role="alert" hidden={!error}>
          {error}
        </p>
        <button type="submit" id="sign-in" disabled={busy}>
          Sign in
        </button>
      </form>
    </section>
  )
}
