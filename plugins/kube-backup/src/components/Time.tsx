import { absoluteTime, relativeTime } from './format';

/** A relative time ("3 hours ago") with the absolute time on hover. */
export function Time(props: { value?: string }) {
  const absolute = absoluteTime(props.value);
  return (
    <time dateTime={props.value} title={absolute} aria-label={absolute}>
      {relativeTime(props.value)}
    </time>
  );
}
