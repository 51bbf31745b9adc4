// A site's page frame: crumbs, the title with the site's name, and the tabs of views/registry.ts.
import { useEffect, type Child } from 'hono/jsx/dom'
import type { Site } from '../api/types'
import { href } from '../router'
import { useSession } from '../store'
import { SITE_TABS } from '../views/tabs'

export const NO_SITE = 'No site with this id. Pick one from the sites list.'

/** The site of a route, or undefined for an unknown id (the sites list is loaded before any view shows). */
export function useSite(siteId: string): Site | undefined {
  return useSession().sites?.find((s) => s.id === siteId)
}

type FrameProps = {
  /** The section id is `${view}-view` and the title's `${view}-title`, as the tests and styles know them. */
  view: string
  siteId: string
  tab: string
  heading: string
  /** Replaces "heading · site" in the title (e.g. an experience's own name). */
  title?: string
  crumbs?: Child
  children: Child
}

export function SiteFrame({ view, siteId, tab, heading, title, crumbs, children }: FrameProps) {
  const site = useSite(siteId)
  const name = site ? site.name : siteId
  const text = title ?? `${heading} · ${name}`
  useEffect(() => {
    document.title = `${text} · Cairn`
  }, [text])
  return (
    <section id={`${view}-view`} class="site-view" aria-labelledby={`${view}-title`}>
      <p class="crumbs">
        <a href={href.sites()}>Sites</a> / <span class="crumb-site">{name}</span>
        {crumbs}
      </p>
      <h1 id={`${view}-title`}>{text}</h1>
      <nav class="tabs" aria-label="Site">
        {SITE_TABS.map(({ key, label }) => (
          <a href={href.tab(siteId, key)} id={`tab-${key}`} aria-current={key === tab ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      {children}
    </section>
  )
}
