// Who enters a flow (trigger and filter), when a run ends early (goal), whether a lead may run it again
// (re-entry), and the per-flow message policy (caps, quiet hours) that overrides the site's.
import { getIn, newTrigger, TRIGGER_NAMES, TRIGGER_TYPES, type Obj } from './draft'
import { Conditions, MatchFields } from './conditions'
import { Choice, NumIn, TextIn, Toggle, type Ed } from './fields'

export function TriggerFields({ ed, stages }: { ed: Ed; stages: readonly string[] }) {
  const trigger = (getIn(ed.draft, ['trigger']) as Obj | undefined) ?? {}
  const at = ['trigger']
  return (
    <fieldset class="group" id="flow-trigger">
      <legend>Trigger <span class="muted">(when a lead enters the flow)</span></legend>
      <div class="fields">
        <Choice ed={ed} at={['trigger', 'type']} label="Starts when" options={TRIGGER_TYPES.map((t) => [t, TRIGGER_NAMES[t]] as const)}
          onPick={(type) => ed.set(at, newTrigger(type as (typeof TRIGGER_TYPES)[number]))} />
        {trigger.type === 'score' ? <NumIn ed={ed} at={['trigger', 'gte']} label="Score reaches" min={-100000} max={100000} /> : null}
        {trigger.type === 'inactive' ? <NumIn ed={ed} at={['trigger', 'days']} label="Days without activity" min={1} max={3650} /> : null}
        {trigger.type === 'stage' ? (
          <Choice ed={ed} at={['trigger', 'stage']} label="Stage" options={[...new Set([...stages, String(trigger.stage ?? '')])].filter(Boolean).map((s) => [s, s] as const)} />
        ) : null}
        {trigger.type === 'form' ? <TextIn ed={ed} at={['trigger', 'event']} label="Tracked event" hint="(empty: any identify or track)" placeholder="Form Submitted" optional /> : null}
      </div>
      {trigger.type === 'event' ? (
        <>
          <MatchFields ed={ed} at={['trigger', 'match']} what="Event" />
          <Toggle ed={ed} at={['trigger', 'count']} label="Only once it happened several times" on={() => ({ gte: 2, withinDays: 7 })} />
          {trigger.count ? (
            <div class="fields">
              <NumIn ed={ed} at={['trigger', 'count', 'gte']} label="At least (times)" min={1} max={1000} class="short-wide" />
              <NumIn ed={ed} at={['trigger', 'count', 'withinDays']} label="Within (days)" min={1} max={365} class="short-wide" />
            </div>
          ) : null}
        </>
      ) : null}
      {trigger.type === 'form' ? <Conditions ed={ed} at={['trigger', 'where']} legend="Answers (properties or traits) must match" on="event" min={1} /> : null}
      <Conditions ed={ed} at={['filter']} legend="Filter: only leads matching all of" on="lead" />
    </fieldset>
  )
}

export function ExitFields({ ed }: { ed: Ed }) {
  const reentry = (getIn(ed.draft, ['reentry']) as Obj | undefined) ?? { type: 'once' }
  const policy = getIn(ed.draft, ['policy']) as Obj | undefined
  const quiet = policy?.quietHours
  return (
    <fieldset class="group" id="flow-exit">
      <legend>Goal, re-entry and message policy</legend>
      <Toggle ed={ed} at={['goal']} label="A goal ends the run (and cancels its pending steps)" on={() => ({ type: 'track', event: 'Purchased' })} />
      {getIn(ed.draft, ['goal']) ? <MatchFields ed={ed} at={['goal']} what="Goal event" /> : null}
      <div class="fields">
        <Choice ed={ed} at={['reentry', 'type']} label="Re-entry" options={[['once', 'Once per lead'], ['cooldown', 'Again after a cool-down']]}
          onPick={(type) => ed.set(['reentry'], type === 'cooldown' ? { type, days: 30 } : { type })} />
        {reentry.type === 'cooldown' ? <NumIn ed={ed} at={['reentry', 'days']} label="Cool-down (days)" min={1} max={3650} /> : null}
      </div>
      <Toggle ed={ed} at={['policy']} label="Override the site's frequency caps and quiet hours" on={() => ({})} />
      {policy ? (
        <div class="fields">
          <NumIn ed={ed} at={['policy', 'maxPerDay']} label="Max messages a day" min={1} max={100} placeholder="site's" />
          <NumIn ed={ed} at={['policy', 'maxPerWeek']} label="Max a week" min={1} max={500} placeholder="site's" />
          <div class="field">
            <label for="flow-policy-quiet">Quiet hours</label>
            <select id="flow-policy-quiet" value={quiet === undefined ? 'site' : quiet === null ? 'none' : 'custom'}
              onChange={(e: Event) => {
                const v = (e.target as HTMLSelectElement).value
                ed.set(['policy', 'quietHours'], v === 'site' ? undefined : v === 'none' ? null : { start: '21:00', end: '08:00' })
              }}>
              <option value="site" selected={quiet === undefined}>the site's</option>
              <option value="none" selected={quiet === null}>none for this flow</option>
              <option value="custom" selected={!!quiet}>custom</option>
            </select>
          </div>
          {quiet ? (
            <>
              <TextIn ed={ed} at={['policy', 'quietHours', 'start']} label="From" type="time" class="short-wide" />
              <TextIn ed={ed} at={['policy', 'quietHours', 'end']} label="To" type="time" class="short-wide" />
            </>
          ) : null}
        </div>
      ) : null}
    </fieldset>
  )
}
