import { component$ } from '@builder.io/qwik';
import type { StandInStats } from './control';

/** What the stand-in server sees right now: connections per transport, epoch, active faults. */
export const ServerView = component$<{ stats: StandInStats | null }>((props) => {
  const stats = props.stats;
  if (!stats) return <p class="server-view">Server: waiting for the stand-in broker…</p>;
  const faults = Object.entries(stats.faults)
    .filter(([name, value]) => value !== false && value !== 0 && !(name === 'auth' && value === 'open'))
    .map(([name, value]) => (value === true ? name : `${name}=${value}`));
  return (
    <dl class="server-view" aria-label="Server">
      <div>
        <dt>Server connections</dt>
        <dd data-stat="connections">{stats.connections.total}</dd>
      </div>
      <div>
        <dt>by transport</dt>
        <dd data-stat="transports">
          ws {stats.connections.ws} · sse {stats.connections.sse} · poll {stats.connections.poll}
        </dd>
      </div>
      <div>
        <dt>Epoch</dt>
        <dd data-stat="epoch">{stats.epoch}</dd>
      </div>
      <div>
        <dt>Faults</dt>
        <dd data-stat="faults">{faults.length > 0 ? faults.join(', ') : 'none'}</dd>
      </div>
    </dl>
  );
});
