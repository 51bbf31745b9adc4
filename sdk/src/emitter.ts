// A tiny event emitter: in-app messages are delivered to on('message', cb) listeners.
import { safe } from './safe'

export function createEmitter(): {
  on(name: string, listener: (value: unknown) => void): void
  emit(name: string, value: unknown): void
} {
  const listeners: Record<string, Array<(value: unknown) => void>> = {}
  return {
    // Safe both ways: a bad name or listener neither throws now nor when a message is emitted.
    on: safe((name: string, listener: (value: unknown) => void) => (listeners[name] ||= []).push(safe(listener))),
    emit: (name, value) => listeners[name]?.forEach((listener) => listener(value)),
  }
}
