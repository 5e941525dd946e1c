import { parseArgs } from 'node:util';
import { runMain } from './runtime.js';
import { loadDotEnv, parseConfig } from '../config/config.js';
import { UserError } from '../errors.js';
import { buildWinkModel, checksumModelDir, EXPECTED_CHECKSUM, readBuildRecord } from '../embedding/wink-model.js';

/** npm run build-model [-- --verify]: builds the embedded model, or checks the built files against the checksum. */
runMain(async () => {
  const { values } = parseArgs({ options: { verify: { type: 'boolean', default: false } } });
  loadDotEnv();
  const { modelsDir } = parseConfig();
  if (values.verify) {
    const build = await readBuildRecord(modelsDir);
    if (!build) throw new UserError(`No built model in ${modelsDir}.`, 'Build it with: npm run build-model');
    const actual = await checksumModelDir(build.dir);
    if (actual !== build.checksum || actual !== EXPECTED_CHECKSUM) {
      throw new UserError(`The model files in ${build.dir} do not match their checksum (${actual}).`, 'Rebuild: npm run build-model');
    }
    process.stdout.write(`${build.dir}: checksum ${actual} verified\n`);
    return;
  }
  const build = await buildWinkModel(modelsDir);
  process.stdout.write(`Built ${build.modelId} in ${build.dir} (${build.vocabularySize} tokens, checksum ${build.checksum})\n`);
});
