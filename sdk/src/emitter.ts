// A tiny event emitter: in-app messages are delivered to on('message', cb) listeners.
import { safe } from './safe.js'

export function createEmitter<T>(): {
  on(name: string, listener: (value: T) => void): void
  /** Answers whether any listener got the value. */
  emit(name: string, value: T): boolean
} {
  const listeners: Record<string, Array<(value: T) => void>> = {}
  return {
    // Safe both ways: a bad name or listener neither throws now nor when a message is emitted.
    on: safe((name: string, listener: (value: T) => void) => (listeners[name] ||= []).push(safe(listener))),
    emit: (name, value) => !!listeners[name]?.map((listener) => listener(value)).length,
  }
}
