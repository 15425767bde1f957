import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';

/** A labelled checkbox for a dialog's yes/no option. */
export function CheckboxField(props: {
  name: string;
  label: string;
  checked: boolean;
  onChange(checked: boolean): void;
}) {
  return (
    <FormControlLabel
      control={
        <Checkbox
          checked={props.checked}
          onChange={event => props.onChange(event.target.checked)}
          name={props.name}
        />
      }
      label={props.label}
    />
  );
}
