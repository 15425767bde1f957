import { hideBin } from 'yargs/helpers';
import { runCli } from './cli/program';
import { unsupportedNode } from './cli/node-version';

const tooOld = unsupportedNode(process.version);
if (tooOld) {
  console.error(`error: ${tooOld}`);
  process.exitCode = 1;
} else {
  void runCli(hideBin(process.argv)).then(code => {
    if (code !== 0) process.exitCode = code;
  });
}
