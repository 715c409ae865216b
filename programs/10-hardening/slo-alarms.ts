/**
 * The SLO alarms around a fault, shared by the chaos (FIS) and pod-chaos gates: every alarm OK before
 * it, and none changed to ALARM between its start and now. Each gate words its evidence for its fault.
 */
import { CloudWatchClient, DescribeAlarmsCommand, DescribeAlarmHistoryCommand } from '@aws-sdk/client-cloudwatch';
import type { GateContext } from '../../src/core/gate.js';
import type { Evidence } from '../../src/gates/evidence.js';
import type { Probes } from '../../src/gates/probes/index.js';
import type { Phase10Outputs } from './phase.js';

type Ctx = GateContext<Phase10Outputs, Probes>;
const alarmName = (arn: string) => arn.split(':alarm:')[1] ?? arn;

/** Every SLO alarm must exist and be OK (a missing one is terminal; one not OK is not). */
export async function sloAlarmsBefore(
  ctx: Ctx,
  ev: Evidence,
  words: { missing: string; notOk: (state: string) => string; before: string },
): Promise<void> {
  const names = ctx.outputs.sloAlarmArns.map(alarmName);
  const alarms = await ctx.probes.aws.client(CloudWatchClient).send(new DescribeAlarmsCommand({ AlarmNames: names }));
  for (const n of names) {
    const a = alarms.MetricAlarms?.find((x) => x.AlarmName === n);
    if (!a) ev.problem(`SLO alarm ${n} does not exist: ${words.missing}`, true);
    else if (a.StateValue !== 'OK') ev.problem(`SLO alarm ${n} is ${a.StateValue} (${a.StateReason ?? 'no reason'}): ${words.notOk(a.StateValue ?? '')}`);
    else ev.saw(`SLO alarm ${n}: OK ${words.before}`);
  }
}

/** No SLO alarm changed to ALARM between `since` and `until` (`when`: "during the experiment"...). */
export async function sloAlarmsHeld(ctx: Ctx, ev: Evidence, since: number, until: number, when: string): Promise<void> {
  const cw = ctx.probes.aws.client(CloudWatchClient);
  for (const n of ctx.outputs.sloAlarmArns.map(alarmName)) {
    const h = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: n, HistoryItemType: 'StateUpdate', StartDate: new Date(since), EndDate: new Date(until) }));
    const fired = (h.AlarmHistoryItems ?? []).filter((i) => /to ALARM/.test(i.HistorySummary ?? ''));
    if (fired.length > 0) ev.problem(`SLO alarm ${n} fired ${when}: ${fired.map((i) => `${i.Timestamp?.toISOString()} ${i.HistorySummary}`).join('; ')}`, true);
    else ev.saw(`SLO alarm ${n}: no change to ALARM ${when}`);
  }
}
