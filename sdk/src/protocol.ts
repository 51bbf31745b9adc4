// What the script-tag core and its message-renderer chunk agree on, across deploys: a page can run a core
// cached for up to a day with a chunk from a later deploy.

/**
 * The core's mark on window.cairn (`cairn.cairn`): any value means a core is loaded; this one and up means
 * the core hands the renderer chunk, as 'render', only the messages no on('message') listener took. A chunk
 * meeting an older core (mark 1) listens for 'message' instead, as that core expects.
 */
export const CORE_MARK = 2
