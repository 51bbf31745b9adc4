// Cairn dashboard: signs in with the admin token, then routes #/sites… to one view component per page.
import { render, useEffect, useState } from 'hono/jsx/dom'
import { api } from './api/endpoints'
import { errorText, isAbort } from './api/client'
import { parseRoute, useHash, href } from './router'
import { session, useSession } from './store'
import { Toast } from './ui/toast'
import { SignIn } from './views/sign-in'
import { SitesView } from './views/sites'
import { RoutedView } from './views/registry'
import { SITE_TABS } from './views/tabs'

const TAB_KEYS = SITE_TABS.map((t) => t.key)

function App() {
  const { token, sites, notice } = useSession()
  const hash = useHash()
  const [bootError, setBootError] = useState<{ message: string; attempt: number }>({ message: '', attempt: 0 })
  // A token kept from earlier in this tab session: load the sites it unlocks.
  useEffect(() => {
    if (!token || sites) return
    const controller = new AbortController()
    api.sites(controller.signal).then(
      ({ sites }) => session.set({ sites }),
      (error: unknown) => {
        if (!isAbort(error)) setBootError((b) => ({ ...b, message: errorText(error) }))
      },
    )
    return () => controller.abort()
  }, [token, sites, bootError.attempt])
  const route = parseRoute(hash, TAB_KEYS)
  return (
    <>
      <header class="topbar">
        <a class="brand" href={href.sites()}>
          Cairn
        </a>
        <nav id="nav" aria-label="Main" hidden={!token}>
          <a href={href.sites()} id="nav-sites">
            Sites
          </a>
        </nav>
        <button type="button" id="sign-out" class="ghost" hidden={!token} onClick={() => session.signOut()}>
          Sign out
        </button>
      </header>
      <main>
        {!token ? (
          <SignIn notice={notice} />
        ) : !sites ? (
          bootError.message ? (
            <p class="error" role="alert">
              {`Could not load the sites: ${bootError.message} `}
              <button type="button" class="ghost small" onClick={() => setBootError((b) => ({ message: '', attempt: b.attempt + 1 }))}>
                Retry
              </button>
            </p>
          ) : (
            <p class="muted" aria-busy="true">
              Loading…
            </p>
          )
        ) : route.view === 'sites' ? (
          <SitesView />
        ) : (
          <RoutedView route={route} />
        )}
      </main>
      <Toast />
    </>
  )
}

render(<App />, document.getElementById('app')!)
