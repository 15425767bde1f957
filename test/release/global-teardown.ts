import { removeRelease } from './release-once';

export default removeRelease;
