import { hideBin } from 'yargs/helpers';
import { runCli } from './cli/program';

void runCli(hideBin(process.argv)).then(code => {
  if (code !== 0) process.exitCode = code;
});
