export { kubeBackupPlugin as default } from './plugin';
