// The variants of the experience editor: name, weight and named slots (ids exp-variant-0-name, -slot-1…).
import { FieldError, invalid, type FieldErrors } from '../../ui/forms'
import { slotForm, variantForm, type VariantForm } from './form'

type Props = { variants: VariantForm[]; errors: FieldErrors; onChange: (variants: VariantForm[]) => void }

export function Variants({ variants, errors, onChange }: Props) {
  const update = (i: number, patch: Partial<VariantForm>) => onChange(variants.map((v, k) => (k === i ? { ...v, ...patch } : v)))
  const focusLater = (selector: string) => queueMicrotask(() => document.querySelector<HTMLElement>(selector)?.focus())
  return (
    <>
      <div class="card-head">
        <h2>Variants</h2>
        <button type="button" id="exp-variant-add" class="ghost small" disabled={variants.length >= 10} {...invalid(errors, 'variants')}
          onClick={() => {
            onChange([...variants, variantForm(variants.length)])
            focusLater(`#exp-variant-${variants.length}-name`)
          }}>
          + Add variant
        </button>
      </div>
      <FieldError errors={errors} name="variants" />
      <p class="muted hint">
        Slot content: text, inline tags (b, strong, em, i, u, br, small, mark, sup, sub, span) and tokens such as <code>{'{{utm_term|CRM}}'}</code>,{' '}
        <code>{'{{country}}'}</code>, <code>{'{{query.ref}}'}</code>.
      </p>
      <div id="exp-variants">
        {variants.map((v, i) => {
          const prefix = `exp-variant-${i}`
          return (
            <fieldset class="variant" data-variant-id={v.id} key={v.key}>
              <legend>{`Variant ${i + 1}`}</legend>
              <div class="fields">
                <div class="field grow">
                  <label for={`${prefix}-name`}>Name</label>
                  <input id={`${prefix}-name`} class="variant-name" value={v.name} maxlength={200} autocomplete="off" {...invalid(errors, `variants.${i}.name`, `${prefix}-name`)}
                    onInput={(e: Event) => update(i, { name: (e.target as HTMLInputElement).value })} />
                  <FieldError errors={errors} name={`variants.${i}.name`} id={`${prefix}-name`} />
                </div>
                <div class="field short">
                  <label for={`${prefix}-weight`}>Weight</label>
                  <input id={`${prefix}-weight`} class="variant-weight" type="number" min={0} max={10000} value={v.weight} {...invalid(errors, `variants.${i}.weight`, `${prefix}-weight`)}
                    onInput={(e: Event) => update(i, { weight: (e.target as HTMLInputElement).value })} />
                  <FieldError errors={errors} name={`variants.${i}.weight`} id={`${prefix}-weight`} />
                </div>
                <div class="variant-tools">
                  <button type="button" class="ghost small variant-remove" disabled={variants.length === 1} onClick={() => onChange(variants.filter((_, k) => k !== i))}>
                    Remove variant
                  </button>
                </div>
              </div>
              <div class="slots">
                {v.slots.map((s, j) => {
                  const label = s.name.trim() || `slot ${j + 1}`
                  const setSlot = (patch: { name?: string; content?: string }) => update(i, { slots: v.slots.map((x, k) => (k === j ? { ...x, ...patch } : x)) })
                  return (
                    <div class="slot cond" key={s.key}>
                      <input class="slot-name" value={s.name} placeholder="slot name" autocomplete="off" aria-label={`Variant ${i + 1} slot ${j + 1} name`}
                        {...invalid(errors, `variants.${i}.slotname.${j}`)} onInput={(e: Event) => setSlot({ name: (e.target as HTMLInputElement).value })} />
                      <textarea id={`${prefix}-slot-${j}`} class="slot-content" rows={1} placeholder="Content" aria-label={`Variant ${i + 1} ${label}`} value={s.content}
                        {...invalid(errors, `variants.${i}.slot.${j}`, `${prefix}-slot-${j}`)} onInput={(e: Event) => setSlot({ content: (e.target as HTMLTextAreaElement).value })} />
                      <button type="button" class="ghost small slot-remove" aria-label={`Remove ${label} from variant ${i + 1}`}
                        onClick={() => update(i, { slots: v.slots.filter((_, k) => k !== j) })}>
                        ✕
                      </button>
                      <FieldError errors={errors} name={`variants.${i}.slotname.${j}`} />
                      <FieldError errors={errors} name={`variants.${i}.slot.${j}`} id={`${prefix}-slot-${j}`} />
                    </div>
                  )
                })}
              </div>
              <button type="button" class="ghost small slot-add" {...invalid(errors, `variants.${i}.slots`)}
                onClick={() => {
                  update(i, { slots: [...v.slots, slotForm()] })
                  focusLater(`#exp-variants > fieldset:nth-child(${i + 1}) .slot:last-child .slot-name`)
                }}>
                + Slot
              </button>
              <FieldError errors={errors} name={`variants.${i}.slots`} />
            </fieldset>
          )
        })}
      </div>
    </>
  )
}
