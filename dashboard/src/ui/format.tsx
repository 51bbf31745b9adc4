// Small display pieces. Everything from the API may come from a visitor: it is rendered as text, and only
// http(s) URLs become links.

/** Text, or an element this dashboard built (never raw API data). */
export type PairValue = string | Markup | null | undefined | false

export const numberFormat = new Intl.NumberFormat()
export const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
export const shortDate = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
export const dayDate = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' })

export const plural = (n: number, word: string) => `${numberFormat.format(n)} ${word}${n === 1 ? '' : 's'}`
export const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`

export const Dash = () => <span class="muted">—</span>
/** What a JSX expression evaluates to. */
export type Markup = ReturnType<typeof Dash>

export function Time({ iso, format = dateFormat }: { iso: string | null | undefined; format?: Intl.DateTimeFormat }) {
  const date = new Date(iso ?? '')
  if (!iso || Number.isNaN(date.getTime())) return <Dash />
  return (
    <time datetime={date.toISOString()} title={date.toISOString()}>
      {format.format(date)}
    </time>
  )
}

export function formatValue(value: unknown): string {
  const text = typeof value === 'string' ? value : String(JSON.stringify(value))
  return text.length > 500 ? `${text.slice(0, 500)}…` : text
}

export const isHttpUrl = (url: string) => /^https?:/i.test(url)

export const LinkOrText = ({ url }: { url: string }) => {
  const text = String(url)
  return isHttpUrl(text) ? (
    <a href={text} target="_blank" rel="noopener noreferrer">
      {text}
    </a>
  ) : (
    <span>{text}</span>
  )
}

/** A badge whose class comes from a safe name (stage, segment, kind); other names get the plain style. */
export const Badge = ({ name, prefix = 'stage' }: { name: string; prefix?: string }) => {
  const text = String(name)
  return <span class={/^[a-z_]+$/.test(text) ? `badge ${prefix}-${text}` : 'badge'}>{text}</span>
}
export const StageBadge = ({ stage }: { stage: string | null | undefined }) => <Badge name={stage || 'visitor'} />

/** Signed, colored number: +10 / −5. */
export function Signed({ value, zero = '0' }: { value: number; zero?: string }) {
  const n = Number(value) || 0
  return <span class={n > 0 ? 'pos' : n < 0 ? 'neg' : 'muted'}>{n > 0 ? `+${n}` : n < 0 ? `−${-n}` : zero}</span>
}

/**
 * A definition list of the entries that have a value; `empty` when none has. Values are text or elements
 * built here: API data (e.g. a visitor's traits, any JSON) must arrive as a string, since an object shaped like
 * a JSX node would otherwise be rendered as an element.
 */
export function Pairs({ id, entries, empty, class: cls = 'pairs' }: { id?: string; entries: Array<[string, PairValue]>; empty: string; class?: string }) {
  const rows = entries.filter(([, value]) => value != null && value !== '' && value !== false)
  return (
    <dl id={id} class={cls}>
      {rows.length ? (
        rows.map(([key, value]) => (
          <>
            <dt>{String(key)}</dt>
            <dd>{typeof value === 'string' ? formatValue(value) : value}</dd>
          </>
        ))
      ) : (
        <dd class="muted empty-pairs">{empty}</dd>
      )}
    </dl>
  )
}
