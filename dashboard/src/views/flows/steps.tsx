// The steps as an ordered list (add, remove, move up/down), each with its type's form; a branch holds two
// nested lists. Paths follow the API's ("steps.2.then.0"), so issues land on the right step.
import { useState } from 'hono/jsx/dom'
import { getIn, keyOf, move, newStep, STEP_NAMES, STEP_TYPES, type Json, type Obj, type Path, type StepType } from './draft'
import { Conditions } from './conditions'
import { Choice, idOf, NumIn, PartError, TextIn, type Ed } from './fields'
import { FieldError } from '../../ui/forms'

export function StepList({ ed, at, depth = 0 }: { ed: Ed; at: Path; depth?: number }) {
  const steps = (getIn(ed.draft, at) as Obj[] | undefined) ?? []
  const [type, setType] = useState<StepType>('email')
  const setSteps = (next: Obj[]) => ed.set(at, next)
  return (
    <div class="step-list" data-field={keyOf(at)} id={idOf(at)}>
      <PartError errors={ed.errors} at={at} />
      <ol class="plain steps">
        {steps.map((step, i) => (
          <StepCard ed={ed} at={[...at, i]} step={step} index={i} count={steps.length} depth={depth}
            onMove={(by) => setSteps(move(steps, i, by))} onRemove={() => setSteps(steps.filter((_, j) => j !== i))} />
        ))}
      </ol>
      <div class="step-add">
        <select id={`${idOf(at)}-type`} aria-label="Step type" value={type} onChange={(e: Event) => setType((e.target as HTMLSelectElement).value as StepType)}>
          {STEP_TYPES.filter((t) => t !== 'branch' || depth < 3).map((t) => (
            <option value={t} selected={t === type}>{STEP_NAMES[t]}</option>
          ))}
        </select>
        <button type="button" class="ghost small" id={`${idOf(at)}-add`} onClick={() => setSteps([...steps, newStep(type)])}>
          + Add step
        </button>
      </div>
    </div>
  )
}

type CardProps = { ed: Ed; at: Path; step: Obj; index: number; count: number; depth: number; onMove: (by: number) => void; onRemove: () => void }

function StepCard({ ed, at, step, index, count, depth, onMove, onRemove }: CardProps) {
  const name = STEP_NAMES[step.type as StepType] ?? String(step.type)
  return (
    <li class={`step step-${String(step.type).replace(/[^a-z_]/g, '')}`} data-field={keyOf(at)} id={idOf(at)}>
      <div class="step-head">
        <span class="step-num">{String(index + 1)}</span>
        <strong class="step-name">{name}</strong>
        <span class="step-tools">
          <button type="button" class="ghost small step-up" aria-label={`Move step ${index + 1} up`} disabled={index === 0} onClick={() => onMove(-1)}>↑</button>
          <button type="button" class="ghost small step-down" aria-label={`Move step ${index + 1} down`} disabled={index === count - 1} onClick={() => onMove(1)}>↓</button>
          <button type="button" class="ghost small step-remove" aria-label={`Remove step ${index + 1}`} onClick={onRemove}>Remove</button>
        </span>
      </div>
      <StepFields ed={ed} at={at} step={step} depth={depth} />
      <FieldError errors={ed.errors} name={keyOf([...at, 'type'])} />
      <PartError errors={ed.errors} at={at} />
    </li>
  )
}

function StepFields({ ed, at, step, depth }: { ed: Ed; at: Path; step: Obj; depth: number }) {
  const f = (key: string) => [...at, key]
  switch (step.type) {
    case 'email':
      return <EmailFields ed={ed} at={at} step={step} />
    case 'wait':
      return <WaitFields ed={ed} at={at} step={step} />
    case 'in_app':
      return (
        <>
          <div class="fields">
            <Choice ed={ed} at={f('kind')} label="Shown as" class="short" options={[['banner', 'Banner'], ['modal', 'Modal']]} />
            <TextIn ed={ed} at={f('title')} label="Title" maxlength={120} class="grow" />
          </div>
          <TextIn ed={ed} at={f('body')} label="Body" hint="(text, {{tokens}})" area rows={2} optional />
          <div class="fields">
            <TextIn ed={ed} at={[...at, 'cta', 'label']} label="Button label" hint="(optional)" optional />
            <TextIn ed={ed} at={[...at, 'cta', 'url']} label="Button link" placeholder="/demo" optional />
          </div>
          <FieldError errors={ed.errors} name={keyOf(f('cta'))} />
          <NumIn ed={ed} at={f('expiresHours')} label="Drop if not shown within (hours)" min={1} max={720} placeholder="never" class="short-wide" />
        </>
      )
    case 'webhook':
      return <WebhookFields ed={ed} at={at} step={step} />
    case 'branch':
      return (
        <>
          <Conditions ed={ed} at={f('if')} legend="If the lead matches all of" on="lead" min={1} />
          <div class="arm arm-then">
            <h4>Then</h4>
            <StepList ed={ed} at={f('then')} depth={depth + 1} />
          </div>
          <div class="arm arm-else">
            <h4>Else <span class="muted">(empty: continue after the branch)</span></h4>
            <StepList ed={ed} at={f('else')} depth={depth + 1} />
          </div>
        </>
      )
    case 'update':
      return (
        <div class="fields">
          <TextIn ed={ed} at={f('stage')} label="Set stage" placeholder="sql" optional />
          <TextIn ed={ed} at={f('tag')} label="Add tag" placeholder="nurture" optional />
          <NumIn ed={ed} at={f('points')} label="Add points" min={-1000} max={1000} />
        </div>
      )
    default:
      return <p class="muted">{`Unknown step type ${JSON.stringify(step.type)}: edit it as JSON.`}</p>
  }
}

function EmailFields({ ed, at, step }: { ed: Ed; at: Path; step: Obj }) {
  const subjects = step.subjects as string[] | undefined
  const setAb = (on: boolean) => {
    const { subject, subjects: list, ...rest } = step
    ed.set(at, on ? { ...rest, subjects: [String(subject ?? ''), ''] } : { ...rest, subject: String((list as Json[] | undefined)?.[0] ?? '') } as Obj)
  }
  return (
    <>
      {subjects ? (
        <fieldset class="conds" data-field={keyOf([...at, 'subjects'])}>
          <legend>Subject lines <span class="muted">(A/B: each lead gets one, by a hash of her id)</span></legend>
          {subjects.map((_, i) => (
            <div class="cond">
              <TextIn ed={ed} at={[...at, 'subjects', i]} label={`Variant ${String.fromCharCode(65 + i)}`} maxlength={200} class="grow" />
              <button type="button" class="ghost small subject-remove" aria-label={`Remove variant ${String.fromCharCode(65 + i)}`} disabled={subjects.length <= 2}
                onClick={() => ed.set([...at, 'subjects'], subjects.filter((__, j) => j !== i))}>✕</button>
            </div>
          ))}
          <PartError errors={ed.errors} at={[...at, 'subjects']} />
          <button type="button" class="ghost small subject-add" disabled={subjects.length >= 5} onClick={() => ed.set([...at, 'subjects'], [...subjects, ''])}>+ Variant</button>
        </fieldset>
      ) : (
        <TextIn ed={ed} at={[...at, 'subject']} label="Subject" maxlength={200} placeholder="Your pricing questions" optional />
      )}
      <label class="inline toggle">
        <input type="checkbox" class="ab-toggle" id={`${idOf(at)}-ab`} checked={!!subjects} onChange={(e: Event) => setAb((e.target as HTMLInputElement).checked)} />
        A/B test the subject line
      </label>
      <TextIn ed={ed} at={[...at, 'body']} label="Body" hint="(HTML or text; {{lead.traits.firstName|there}} tokens are escaped)" area rows={6} />
      <NumIn ed={ed} at={[...at, 'expiresHours']} label="Drop if held longer than (hours)" min={1} max={720} placeholder="never" />
    </>
  )
}

const UNITS = [
  [86_400, 'days'],
  [3600, 'hours'],
  [60, 'minutes'],
  [1, 'seconds'],
] as const

function WaitFields({ ed, at, step }: { ed: Ed; at: Path; step: Obj }) {
  const untilMode = step.until !== undefined
  const seconds = typeof step.seconds === 'number' ? step.seconds : 0
  const [chosen, setUnit] = useState<number>(UNITS.find(([u]) => seconds > 0 && seconds % u === 0)?.[0] ?? 3600)
  // A step moved into this slot may not divide by the unit chosen here: fall back to one that does.
  const unit = seconds % chosen === 0 ? chosen : (UNITS.find(([u]) => seconds % u === 0)?.[0] ?? 1)
  const key = keyOf([...at, 'seconds'])
  return (
    <div class="fields">
      <div class="field short-wide">
        <label for={`${idOf(at)}-mode`}>Wait</label>
        <select id={`${idOf(at)}-mode`} value={untilMode ? 'until' : 'for'}
          onChange={(e: Event) => ed.set(at, (e.target as HTMLSelectElement).value === 'until' ? { type: 'wait', until: '09:00' } : { type: 'wait', seconds: 86_400 })}>
          <option value="for" selected={!untilMode}>for a duration</option>
          <option value="until" selected={untilMode}>until a time of day</option>
        </select>
      </div>
      {untilMode ? (
        <TextIn ed={ed} at={[...at, 'until']} label="Time of day" hint="(lead's time zone)" type="time" class="short-wide" />
      ) : (
        <>
          <div class="field short" data-field={key}>
            <label for={`${idOf(at)}-amount`}>Amount</label>
            <input type="number" min={1} step={1} id={`${idOf(at)}-amount`} value={seconds ? String(seconds / unit) : ''}
              aria-invalid={ed.errors[key] ? 'true' : undefined}
              onInput={(e: Event) => {
                const n = Number((e.target as HTMLInputElement).value)
                ed.set([...at, 'seconds'], Number.isFinite(n) && n > 0 ? Math.round(n * unit) : undefined)
              }} />
            <FieldError errors={ed.errors} name={key} />
          </div>
          <div class="field short">
            <label for={`${idOf(at)}-unit`}>Unit</label>
            <select id={`${idOf(at)}-unit`} value={String(unit)} onChange={(e: Event) => {
              const next = Number((e.target as HTMLSelectElement).value)
              setUnit(next)
              if (seconds) ed.set([...at, 'seconds'], Math.round((seconds / unit) * next))
            }}>
              {UNITS.map(([u, label]) => <option value={String(u)} selected={u === unit}>{label}</option>)}
            </select>
          </div>
        </>
      )}
    </div>
  )
}

/** A body that is only a message (`{"text": "…"}`, what Slack and most chat webhooks take): edited as text. */
const isMessageOnly = (body: Json | undefined): boolean =>
  !!body && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 1 && typeof (body as Obj).text === 'string'

function WebhookFields({ ed, at, step }: { ed: Ed; at: Path; step: Obj }) {
  const [typed, setText] = useState(JSON.stringify(step.body ?? { text: '' }, null, 2))
  const [bad, setBad] = useState('')
  const [wantsJson, setWantsJson] = useState(false)
  // A body with more than a message (set here or in the raw JSON) can only be edited as JSON.
  const asJson = wantsJson || !isMessageOnly(step.body)
  // The text typed here, unless the step in this slot changed under it (moved, removed, raw JSON edit).
  const text = bad || sameJson(typed, step.body) ? typed : JSON.stringify(step.body ?? {}, null, 2)
  const key = keyOf([...at, 'body'])
  return (
    <>
      <div class="fields">
        <TextIn ed={ed} at={[...at, 'url']} label="URL" placeholder="https://hooks.slack.com/services/…" type="url" class="grow" />
        <Choice ed={ed} at={[...at, 'format']} label="Format" options={[['slack', 'Slack-compatible JSON'], ['signed', 'Signed (HMAC header)']]} />
      </div>
      {asJson ? (
        <div class="field" data-field={key}>
          <label for={`${idOf(at)}-body`}>Body <span class="muted">(JSON; strings may use {'{{tokens}}'})</span></label>
          <textarea id={`${idOf(at)}-body`} rows={3} class="mono" value={text} aria-invalid={bad || ed.errors[key] ? 'true' : undefined}
            onInput={(e: Event) => {
              const next = (e.target as HTMLTextAreaElement).value
              setText(next)
              try {
                const parsed = JSON.parse(next) as Json
                if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object')
                setBad('')
                ed.set([...at, 'body'], parsed)
              } catch {
                setBad('Not a JSON object yet: the last valid body is kept.')
              }
            }} />
          {bad ? <p class="field-error">{bad}</p> : <FieldError errors={ed.errors} name={key} />}
          {isMessageOnly(step.body) && !bad ? (
            <button type="button" class="ghost small webhook-as-text" onClick={() => setWantsJson(false)}>Edit as a message</button>
          ) : null}
        </div>
      ) : (
        <>
          <TextIn ed={ed} at={[...at, 'body', 'text']} label="Message" hint={'(sent as {"text": …}; {{tokens}} allowed)'} area rows={2} />
          <button type="button" class="ghost small webhook-as-json" onClick={() => { setText(JSON.stringify(step.body ?? {}, null, 2)); setBad(''); setWantsJson(true) }}>
            Edit the body as JSON
          </button>
        </>
      )}
    </>
  )
}

function sameJson(text: string, value: Json | undefined): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(value)
  } catch {
    return false
  }
}
