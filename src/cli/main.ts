import { Command } from 'commander';
import { VERSION } from '../app.js';
import { registerAgentCommands } from './commands/agents.js';
import { registerChatCommand } from './commands/chat.js';
import { registerDbCommands } from './commands/db.js';
import { registerIncidentCommands } from './commands/incidents.js';
import { registerStartCommand } from './commands/start.js';
import { registerTokenCommands } from './commands/token.js';
import { registerTriageCommands } from './commands/triage.js';
import { registerKbCommands } from './commands/kb.js';
import { registerProblemCommands } from './commands/problems.js';
import { registerEmailCommands } from '../../channels/email/cli.js';
import { registerTeamsCommands } from '../../channels/teams/cli.js';
import { openCliDatabase } from './context.js';
import { fail } from './context.js';

const program = new Command()
  .name('frontline')
  .description('Frontline: omnichannel chatbot for IT incident intake.\nEvery command honours DATABASE_URL and FRONTLINE_DATA_DIR.')
  .version(VERSION);

registerStartCommand(program);
registerDbCommands(program);
registerChatCommand(program);
registerIncidentCommands(program);
registerTokenCommands(program);
registerAgentCommands(program);
registerTriageCommands(program);
registerKbCommands(program, () => openCliDatabase());
registerEmailCommands(program);
registerTeamsCommands(program);
registerProblemCommands(program);

process.on('unhandledRejection', (err) => fail(err));
program.parseAsync(process.argv).catch(fail);
