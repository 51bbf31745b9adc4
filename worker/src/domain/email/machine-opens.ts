// Machine opens: a mail client's privacy proxy loads every image of an email when it arrives, read or not.
// Apple Mail Privacy Protection (on by default for most Apple Mail users) fetches through Apple's relay with
// the bare user agent "Mozilla/5.0" — no browser, platform or version after it, which no mail client or
// browser a person reads with sends — and Apple's own fetchers come from its network, 17.0.0.0/8.
// Gmail's image proxy is not one of them: it fetches when the reader opens the email (a real open).

const BARE_USER_AGENT = 'Mozilla/5.0'

/** Whether an address is in 17.0.0.0/8 (Apple's network); IPv4 only, the form CF-Connecting-IP gives for it. */
const isAppleNetwork = (ip: string | undefined) => ip !== undefined && /^17\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip.trim())

/** Whether an open-pixel load came from a privacy proxy rather than from a person opening the email. */
export function isMachineOpen(userAgent: string | undefined, ip: string | undefined): boolean {
  return userAgent?.trim() === BARE_USER_AGENT || isAppleNetwork(ip)
}
