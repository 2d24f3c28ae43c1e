import { $, component$, useSignal } from '@builder.io/qwik';
import { control, type ControlAction } from './control';

/** One fault button: a label and the control call it makes. */
export interface FaultButton {
  label: string;
  action: ControlAction;
  params?: Record<string, string | number | boolean>;
  /** Reload the story afterwards (a fault that only matters to a fresh page session). */
  reload?: boolean;
}

/** Common buttons, by name. */
export const FAULTS = {
  drop: { label: 'Drop connections', action: 'drop' },
  restart: { label: 'Restart server (new epoch)', action: 'restart' },
  down: { label: 'Stop server for 8 s', action: 'restart', params: { downMs: 8000 } },
  refuseWs: { label: 'Refuse WebSocket and reload', action: 'ws', params: { refuse: 1 }, reload: true },
  allowWs: { label: 'Allow WebSocket and reload', action: 'ws', params: { refuse: 0 }, reload: true },
  duplicatesOn: { label: 'Send duplicates', action: 'duplicates', params: { on: 1 } },
  duplicatesOff: { label: 'Stop duplicates', action: 'duplicates', params: { on: 0 } },
  stall: { label: 'Stall delivery', action: 'stall', params: { on: 1 } },
  unstall: { label: 'Resume delivery', action: 'stall', params: { on: 0 } },
  silent: { label: 'Go silent (no heartbeats)', action: 'silent', params: { on: 1 } },
  speak: { label: 'Speak again', action: 'silent', params: { on: 0 } },
  reset: { label: 'Reset faults', action: 'reset' },
} satisfies Record<string, FaultButton>;

/**
 * A toolbar of fault-injection buttons talking to the stand-in broker. Shows the last action's outcome in
 * a polite live region, so tests and screen readers can follow.
 */
export const FaultBar = component$<{ buttons: FaultButton[]; label?: string }>((props) => {
  const lastSig = useSignal('');
  const run = $(async (button: FaultButton) => {
    try {
      await control(button.action, button.params ?? {});
      lastSig.value = `${button.label}: done`;
      if (button.reload) location.reload();
    } catch (error) {
      lastSig.value = `${button.label}: ${error instanceof Error ? error.message : String(error)}`;
    }
  });
  return (
    <div class="fault-bar" role="toolbar" aria-label={props.label ?? 'Fault injection'}>
      {props.buttons.map((button) => (
        <button key={button.label} type="button" onClick$={() => run(button)}>
          {button.label}
        </button>
      ))}
      <span class="fault-bar__last" role="status" aria-live="polite">
        {lastSig.value}
      </span>
    </div>
  );
});
