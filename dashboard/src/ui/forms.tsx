// Form errors: a red border and a note under the field for what the dashboard checks itself or the API's
// issues it can place; the rest listed in the form's error box.
import { useEffect, useState, type Child } from 'hono/jsx/dom'
import { ApiError, errorText } from '../api/client'
import type { ErrorIssue } from '../api/types'
import { announce } from './toast'

export type FieldErrors = Record<string, string>

/** The field key an API issue path points at: the longest prefix of the path found in `keys`. */
export function fieldOf(path: string, keys: readonly string[]): string | null {
  const parts = String(path ?? '').split('.')
  for (let n = parts.length; n > 0; n--) {
    const key = parts.slice(0, n).join('.')
    if (keys.includes(key)) return key
  }
  return null
}

/** Issues placed on fields (first message per field) and the ones left for the box. */
export function placeIssues(issues: readonly ErrorIssue[], resolve: (path: string) => string | null) {
  const fields: FieldErrors = {}
  const rest: ErrorIssue[] = []
  for (const issue of issues) {
    const key = resolve(issue.path)
    if (key) fields[key] ??= issue.message
    else rest.push(issue)
  }
  return { fields, rest }
}

/** aria attributes of an input whose field may be invalid. */
export const invalid = (errors: FieldErrors, key: string, id?: string) =>
  errors[key] ? { 'aria-invalid': 'true', ...(id ? { 'aria-describedby': `${id}-error` } : {}) } : {}

export const FieldError = ({ errors, name, id }: { errors: FieldErrors; name: string; id?: string }) =>
  errors[name] ? (
    <p class="field-error" id={id ? `${id}-error` : undefined}>
      {errors[name]}
    </p>
  ) : null

export type Problem = { message: string; issues?: Array<{ label: string; message: string; line?: string }> } | null

/** A form's error box: the message and, labelled, the issues no field shows. */
export function ErrorBox({ id, problem, class: cls = 'error' }: { id: string; problem: Problem; class?: string }) {
  return (
    <div id={id} class={cls} role="alert" hidden={!problem}>
      {problem && (problem.issues?.length ? <p>{problem.message}</p> : problem.message)}
      {problem?.issues?.length ? (
        <ul>
          {problem.issues.map((i) => (
            <li data-line={i.line}>
              <strong>{`${i.label}: `}</strong>
              {i.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}

/** An error as a Problem: ApiError issues listed with their labels (path by default). */
export function problemOf(error: unknown, issues?: readonly ErrorIssue[], label: (path: string) => string = (p) => p || 'Request'): Problem {
  if (!(error instanceof ApiError)) return { message: errorText(error) }
  const list = issues ?? error.issues
  return { message: error.message, issues: list.map((i) => ({ label: label(i.path), message: i.message })) }
}

/** After a failed submit, focus the first invalid input of the form. */
export function useFocusInvalid(form: { current: HTMLElement | null }, errors: FieldErrors) {
  useEffect(() => {
    if (Object.keys(errors).length) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus()
  }, [errors])
}

export function CopyButton({ text, label, class: cls }: { text: string; label: string; class: string }) {
  const [state, setState] = useState<'Copy' | 'Copied' | 'Copy failed'>('Copy')
  useEffect(() => {
    if (state === 'Copy') return
    const timer = setTimeout(() => setState('Copy'), 1500)
    return () => clearTimeout(timer)
  }, [state])
  const copy = async () => {
    const copied = await Promise.resolve()
      .then(() => navigator.clipboard.writeText(text))
      .then(() => true, () => false)
    setState(copied ? 'Copied' : 'Copy failed')
    announce(copied ? 'Copied to the clipboard.' : 'Could not copy: select the text and copy it.')
  }
  return (
    <button type="button" class={`ghost small ${cls}`} aria-label={label} title={label} onClick={copy}>
      {state}
    </button>
  )
}

/** A labelled field with its error note. */
export function Field(props: { id: string; label: Child; name?: string; errors?: FieldErrors; class?: string; children: Child }) {
  return (
    <div class={`field ${props.class ?? ''}`.trim()}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.errors && props.name ? <FieldError errors={props.errors} name={props.name} id={props.id} /> : null}
    </div>
  )
}

export const inputValue = (e: Event) => (e.target as HTMLInputElement).value
export const splitList = (text: string) => text.split(/[\s,]+/).filter(Boolean)
