// The editor's inputs, each bound to a path of the draft. A field's key is its path ("steps.0.subject"),
// the same as the API's issue path, and `data-field` marks where an issue with that path is shown.
import type { Child } from 'hono/jsx/dom'
import { FieldError, invalid, type FieldErrors } from '../../ui/forms'
import { getIn, keyOf, type Json, type Obj, type Path } from './draft'

/** What every part of the editor gets: the draft, a setter by path, and the errors placed on fields. */
export type Ed = { draft: Obj; set: (path: Path, value: Json | undefined) => void; errors: FieldErrors }

export const idOf = (path: Path) => `flow-${keyOf(path).replace(/\./g, '-')}`

type Common = { ed: Ed; at: Path; label: Child; hint?: string; class?: string }

function Wrap({ ed, at, label, hint, class: cls, children }: Common & { children: Child }) {
  const key = keyOf(at)
  return (
    <div class={`field ${cls ?? ''}`.trim()} data-field={key}>
      <label for={idOf(at)}>
        {label}
        {hint ? <span class="muted">{` ${hint}`}</span> : null}
      </label>
      {children}
      <FieldError errors={ed.errors} name={key} id={idOf(at)} />
    </div>
  )
}

/** Text; an optional field left empty is removed from the draft. */
export function TextIn(props: Common & { placeholder?: string; optional?: boolean; area?: boolean; rows?: number; type?: string; maxlength?: number }) {
  const { ed, at, optional, area, placeholder } = props
  const value = getIn(ed.draft, at)
  const attrs = {
    id: idOf(at),
    value: value == null ? '' : String(value),
    placeholder,
    maxlength: props.maxlength,
    autocomplete: 'off',
    onInput: (e: Event) => {
      const text = (e.target as HTMLInputElement).value
      ed.set(at, optional && text === '' ? undefined : text)
    },
    ...invalid(ed.errors, keyOf(at), idOf(at)),
  }
  return <Wrap {...props}>{area ? <textarea rows={props.rows ?? 4} {...attrs} /> : <input type={props.type ?? 'text'} {...attrs} />}</Wrap>
}

/** A whole number; empty removes it (the API's default applies) unless `required`. */
export function NumIn(props: Common & { min?: number; max?: number; placeholder?: string }) {
  const { ed, at } = props
  const value = getIn(ed.draft, at)
  return (
    <Wrap {...props}>
      <input
        type="number"
        id={idOf(at)}
        step={1}
        min={props.min}
        max={props.max}
        placeholder={props.placeholder}
        value={typeof value === 'number' ? String(value) : ''}
        onInput={(e: Event) => {
          const text = (e.target as HTMLInputElement).value.trim()
          ed.set(at, text === '' ? undefined : Number(text))
        }}
        {...invalid(ed.errors, keyOf(at), idOf(at))}
      />
    </Wrap>
  )
}

/** A select; `onPick` replaces the plain set (e.g. a type switch that resets the object's other fields). */
export function Choice(props: Common & { options: ReadonlyArray<readonly [string, string]>; onPick?: (value: string) => void }) {
  const { ed, at, options } = props
  const value = String(getIn(ed.draft, at) ?? '')
  return (
    <Wrap {...props}>
      <select
        id={idOf(at)}
        value={value}
        onChange={(e: Event) => {
          const next = (e.target as HTMLSelectElement).value
          props.onPick ? props.onPick(next) : ed.set(at, next)
        }}
        {...invalid(ed.errors, keyOf(at), idOf(at))}
      >
        {options.map(([v, label]) => (
          <option value={v} selected={v === value}>
            {label}
          </option>
        ))}
      </select>
    </Wrap>
  )
}

/** A checkbox that adds (`on`) or removes an optional part of the draft. */
export function Toggle({ ed, at, label, on, id }: { ed: Ed; at: Path; label: Child; on: () => Json; id?: string }) {
  const present = getIn(ed.draft, at) !== undefined
  return (
    <label class="inline toggle">
      <input type="checkbox" id={id ?? `${idOf(at)}-on`} checked={present} onChange={(e: Event) => ed.set(at, (e.target as HTMLInputElement).checked ? on() : undefined)} />
      {label}
    </label>
  )
}

/** The error of a whole part (a step, a list) that has no single input. */
export const PartError = ({ errors, at }: { errors: FieldErrors; at: Path }) => <FieldError errors={errors} name={keyOf(at)} />
