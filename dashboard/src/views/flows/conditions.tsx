// Condition lists (filters, branch ifs, form answers, event properties) and the event match (trigger, goal).
import { CONDITION_OPS } from '../../../../contract/conditions'
import { conditionValue } from '../scoring/draft'
import { getIn, keyOf, type Json, type Obj, type Path } from './draft'
import { Choice, idOf, PartError, TextIn, type Ed } from './fields'
import { FieldError, invalid } from '../../ui/forms'

const LEAD_FIELDS = ['lead.email', 'lead.userId', 'lead.stage', 'lead.score', 'lead.fitScore', 'lead.engagementScore', 'lead.sessions', 'lead.eventCount', 'lead.purchases', 'lead.revenue', 'lead.tags', 'lead.traits.']
const EVENT_FIELDS = ['properties.', 'traits.', 'context.']
const OP_NAMES: Record<string, string> = { eq: '=', neq: '≠', gt: '>', gte: '≥', lt: '<', lte: '≤', contains: 'contains', exists: 'exists' }

/** Conditions that must all hold; `on` says what they test: the lead, or the event's properties/traits. */
export function Conditions({ ed, at, legend, on, min = 0 }: { ed: Ed; at: Path; legend: string; on: 'lead' | 'event'; min?: number }) {
  const list = (getIn(ed.draft, at) as Obj[] | undefined) ?? []
  const listId = `${idOf(at)}-fields`
  const add = () => ed.set(at, [...list, on === 'lead' ? { field: 'lead.traits.', op: 'eq', value: '' } : { field: 'properties.', op: 'eq', value: '' }])
  return (
    <fieldset class="conds" data-field={keyOf(at)} id={idOf(at)}>
      <legend>{legend}</legend>
      <datalist id={listId}>
        {(on === 'lead' ? LEAD_FIELDS : EVENT_FIELDS).map((f) => (
          <option value={f} />
        ))}
      </datalist>
      {list.length === 0 ? <p class="muted cond-none">{on === 'lead' ? 'None: every lead passes.' : 'None.'}</p> : null}
      {list.map((c, i) => {
        const here = [...at, i]
        const valueAt = [...here, 'value']
        return (
          <div class="cond" data-field={keyOf(here)}>
            <input
              class="cond-field"
              id={idOf([...here, 'field'])}
              aria-label="Field"
              list={listId}
              value={String(c.field ?? '')}
              onInput={(e: Event) => ed.set([...here, 'field'], (e.target as HTMLInputElement).value)}
              {...invalid(ed.errors, keyOf([...here, 'field']))}
            />
            <select
              id={idOf([...here, 'op'])}
              aria-label="Operator"
              value={String(c.op)}
              onChange={(e: Event) => {
                const op = (e.target as HTMLSelectElement).value
                const { value: _v, ...rest } = c
                ed.set(here, op === 'exists' ? { ...rest, op } : { ...rest, op, value: c.value ?? '' })
              }}
            >
              {CONDITION_OPS.map((op) => (
                <option value={op} selected={op === c.op}>
                  {OP_NAMES[op]}
                </option>
              ))}
            </select>
            {c.op === 'exists' ? null : (
              <input
                class="cond-value"
                id={idOf(valueAt)}
                aria-label="Value"
                value={c.value == null ? '' : String(c.value)}
                onInput={(e: Event) => ed.set(valueAt, conditionValue(String(c.op), (e.target as HTMLInputElement).value) as Json)}
                {...invalid(ed.errors, keyOf(valueAt))}
              />
            )}
            <button type="button" class="ghost small cond-remove" aria-label="Remove condition" disabled={list.length <= min} onClick={() => ed.set(at, list.filter((_, j) => j !== i))}>
              ✕
            </button>
            <FieldError errors={ed.errors} name={keyOf([...here, 'field'])} />
            <FieldError errors={ed.errors} name={keyOf([...here, 'op'])} />
            <FieldError errors={ed.errors} name={keyOf(valueAt)} />
            <FieldError errors={ed.errors} name={keyOf(here)} />
          </div>
        )
      })}
      <PartError errors={ed.errors} at={at} />
      <button type="button" class="ghost small cond-add" id={`${idOf(at)}-add`} onClick={add}>
        + Condition
      </button>
    </fieldset>
  )
}

const MATCH_TYPES = [
  ['page', 'Page view'],
  ['track', 'Tracked event'],
  ['identify', 'Identify (traits)'],
] as const

/** An event match: a page path glob, a tracked event name glob, or an identify; optional conditions. */
export function MatchFields({ ed, at, what }: { ed: Ed; at: Path; what: string }) {
  const match = (getIn(ed.draft, at) as Obj | undefined) ?? {}
  const pick = (type: string) => ed.set(at, type === 'page' ? { type, path: '/pricing*' } : type === 'track' ? { type, event: '' } : { type })
  return (
    <>
      <div class="fields">
        <Choice ed={ed} at={[...at, 'type']} label={what} options={MATCH_TYPES} onPick={pick} />
        {match.type === 'page' ? <TextIn ed={ed} at={[...at, 'path']} label="Path" hint="(glob, * = anything)" placeholder="/pricing*" optional /> : null}
        {match.type === 'track' ? <TextIn ed={ed} at={[...at, 'event']} label="Event name" hint="(glob)" placeholder="Signed Up" /> : null}
      </div>
      <Conditions ed={ed} at={[...at, 'where']} legend={match.type === 'identify' ? 'Traits must match' : 'Properties must match'} on="event" />
    </>
  )
}
