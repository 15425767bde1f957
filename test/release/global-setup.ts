import { makeRelease } from './release-once';

export default makeRelease;
