/**
 * The root resolver of a subscription whose events are already the field's value.
 * Event plans (event-plan.ts) recognise it by identity and skip `execute` for such fields.
 */
export function passEventThrough<Event>(event: Event): Event {
  return event;
}
