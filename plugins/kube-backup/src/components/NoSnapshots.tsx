import { CodeSnippet, EmptyState } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';

/** The empty state: how workloads get marked and snapshots made. */
export function NoSnapshots(props: { kubernetesId?: string; filtered?: boolean }) {
  const id = props.kubernetesId ?? '<kubernetes-id>';
  return (
    <EmptyState
      missing="data"
      title="No snapshots of this entity yet"
      description="kube-backup finds an entity's snapshots through the Kubernetes plugin's annotations (backstage.io/kubernetes-id or a label selector). Mark its workloads for capture, then take a snapshot:"
      action={
        <>
          <Typography variant="body2">
            1. Mark the workloads (and the PVCs whose data you want) for capture:
          </Typography>
          <CodeSnippet
            language="bash"
            text={`kubectl backup annotate deploy/<name> -n <namespace> --tags hydrate\nkubectl label deploy/<name> -n <namespace> backstage.io/kubernetes-id=${id}`}
          />
          <Typography variant="body2">
            2. Take a snapshot of this entity's workloads (a schedule usually does this):
          </Typography>
          <CodeSnippet language="bash" text={`kubectl backup create --entity ${id}`} />
        </>
      }
    />
  );
}
