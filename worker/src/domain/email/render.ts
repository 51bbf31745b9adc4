// Renders a flow email: tokens, HTML + text bodies, the footer (unsubscribe link, postal address) and the
// RFC 8058 one-click unsubscribe headers every marketing email carries.
import type { EmailContent } from '../flows/messages'
import type { EmailStep } from '../flows/schema'
import { escapeHtml, renderTokens, type TokenScope } from './tokens'

export const POSTAL_PLACEHOLDER = '[Postal address missing: set it in the site settings before sending real email]'

export type EmailSite = { name: string; postalAddress?: string; from: string }

/**
 * Open pixel and click redirects of one message (only when the site turned them on), and the hidden link
 * only link scanners follow (`scannerUrl`, with click tracking unless the site turned the filter off).
 */
export type EmailTracking = { openUrl: string | null; clickUrl: ((index: number) => string) | null; scannerUrl?: string | null }

/** The click-link index of the hidden scanner link; an email's own links are numbered below it. */
export const SCANNER_LINK = 999

/** An http(s) URL the marketer wrote in the body, tokens included (`?ref={{lead.traits.ref|x y}}`). */
const URL_IN_TEXT = /https?:\/\/(?:\{\{[^}]*\}\}|[^\s<>"'{])+/g
/** A sentence's closing punctuation is not part of the link. */
const TRAILING = /[.,;:!?)\]]+$/

type Piece = { text: string } | { url: string }

/**
 * One line of the body template, rendered: the marketer's URLs (their tokens percent-encoded) and the text
 * between them (tokens as text). URLs are found in the template, before tokens are filled: a lead's trait
 * that holds a URL stays text, never a link (nor a tracked redirect through this domain).
 */
function renderLine(line: string, scope: TokenScope): Piece[] {
  const pieces: Piece[] = []
  let at = 0
  for (const match of line.matchAll(URL_IN_TEXT)) {
    const raw = match[0].replace(TRAILING, '')
    pieces.push({ text: renderTokens(line.slice(at, match.index), scope, 'text') }, { url: renderTokens(raw, scope, 'url') })
    at = match.index! + raw.length
  }
  pieces.push({ text: renderTokens(line.slice(at), scope, 'text') })
  return pieces
}

const textOf = (pieces: readonly Piece[]) => pieces.map((p) => ('url' in p ? p.url : p.text)).join('')

/** HTML of a rendered line: text escaped, URLs as links (through the click redirect when tracked), counted in `links`. */
function linkify(pieces: readonly Piece[], links: string[], clickUrl: EmailTracking['clickUrl']): string {
  return pieces
    .map((piece) => {
      if (!('url' in piece)) return escapeHtml(piece.text)
      const href = clickUrl && links.length < SCANNER_LINK ? clickUrl(links.length) : piece.url
      links.push(piece.url)
      return `<a href="${escapeHtml(href)}">${escapeHtml(piece.url)}</a>`
    })
    .join('')
}

export type RenderedEmail = { ok: true; subject: string; content: EmailContent } | { ok: false; reason: string }

export function renderEmail(input: {
  step: EmailStep
  variant: string | null
  scope: TokenScope
  site: EmailSite
  to: string
  messageId: string
  unsubscribeUrl: string
  /** Production refuses to send without a postal address; development shows a visible placeholder. */
  production: boolean
  tracking?: EmailTracking
}): RenderedEmail {
  const { step, scope, site } = input
  const postal = site.postalAddress?.trim()
  if (!postal && input.production) {
    return { ok: false, reason: 'postal_address_missing: the site has no postal address (site settings → postalAddress); marketing email must carry one' }
  }
  const address = postal || POSTAL_PLACEHOLDER
  const subjectTemplate = input.variant !== null && step.subjects ? step.subjects[Number(input.variant)]! : step.subject!
  const subject = renderTokens(subjectTemplate, scope, 'text').replace(/[\r\n]+/g, ' ')
  const lines = step.body.split('\n').map((line) => renderLine(line, scope))
  const bodyText = lines.map(textOf).join('\n')
  const links: string[] = []
  const clickUrl = input.tracking?.clickUrl ?? null
  const paragraphs: string[][] = [[]]
  for (const pieces of lines) {
    // An empty line (after tokens) ends a paragraph.
    if (textOf(pieces) === '') {
      if (paragraphs.at(-1)!.length) paragraphs.push([])
      continue
    }
    paragraphs.at(-1)!.push(linkify(pieces, links, clickUrl))
  }
  const paragraphsHtml = paragraphs.filter((p) => p.length).map((p) => `<p>${p.join('<br>')}</p>`).join('\n')
  // Empty, hidden (mso-hide for Outlook's Word engine, which ignores display:none on links) and out of the tab
  // order and the accessibility tree: no person can follow it, a scanner that fetches every href does.
  const scanner = input.tracking?.scannerUrl ? `\n<a href="${escapeHtml(input.tracking.scannerUrl)}" style="display:none;mso-hide:all" aria-hidden="true" tabindex="-1"></a>` : ''
  const pixel = input.tracking?.openUrl ? `\n<img src="${escapeHtml(input.tracking.openUrl)}" width="1" height="1" alt="" style="display:block;border:0">` : ''
  const footerHtml = `<hr><p style="font-size:12px;color:#666">${escapeHtml(site.name)} · ${escapeHtml(address)}<br>` +
    `<a href="${escapeHtml(input.unsubscribeUrl)}">Unsubscribe</a></p>`
  const html = `<!doctype html><html><body>\n${paragraphsHtml}${scanner}\n${footerHtml}${pixel}\n</body></html>`
  const text = `${bodyText}\n\n--\n${site.name} · ${address}\nUnsubscribe: ${input.unsubscribeUrl}\n`
  return {
    ok: true,
    subject,
    content: {
      channel: 'email',
      from: site.from,
      headers: {
        From: site.from,
        To: input.to,
        Subject: subject,
        'List-Unsubscribe': `<${input.unsubscribeUrl}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'X-Cairn-Message-Id': input.messageId,
      },
      html,
      text,
      links,
    },
  }
}
