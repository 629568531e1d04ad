// What an incident family provides: the cast it needs in the directory, and the scripted rows plus their labels.
import type { ActivityContext } from '../activity.ts';
import type { PersonaSpec } from '../directory.ts';
import type { ScriptBuilder } from '../script.ts';
import type { IncidentKind } from '../types.ts';

export interface ModuleContext {
  accountName: string;
  activity: ActivityContext;
  /** Account parameters as SHOW PARAMETERS IN ACCOUNT will show them; modules that change a parameter write here. */
  parameters: Record<string, string>;
  /** Role hierarchy edges (granted role, grantee role) added by incidents, for the admin posture. */
  extraRoleEdges: [string, string][];
  /** Ordinary people not involved in any other story (targets of the password spray). */
  bystanders: readonly string[];
}

export interface IncidentModule {
  kind: IncidentKind;
  /** Personas this story needs (fixed names); `end` is the scenario's virtual now. */
  cast(end: Date): PersonaSpec[];
  build(script: ScriptBuilder, ctx: ModuleContext): void;
}
