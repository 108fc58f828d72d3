// Small DOM helpers for labelled controls.

export interface Control<E extends HTMLElement> {
  label: HTMLLabelElement;
  input: E;
}

function labelled<E extends HTMLElement>(text: string, input: E, name: string): Control<E> {
  const label = document.createElement("label");
  label.append(`${text} `, input);
  input.dataset.control = name;
  return { label, input };
}

export function select(
  text: string,
  name: string,
  options: readonly string[],
): Control<HTMLSelectElement> {
  const input = document.createElement("select");
  for (const value of options) {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = value;
    input.append(option);
  }
  return labelled(text, input, name);
}

export function range(
  text: string,
  name: string,
  min: number,
  max: number,
  step: number,
): Control<HTMLInputElement> & { output: HTMLOutputElement } {
  const input = document.createElement("input");
  input.type = "range";
  input.min = String(min);
  input.max = String(max);
  input.step = String(step);
  const control = labelled(text, input, name);
  const output = document.createElement("output");
  control.label.append(output);
  return { ...control, output };
}

export function numberInput(text: string, name: string): Control<HTMLInputElement> {
  const input = document.createElement("input");
  input.type = "number";
  input.step = "any";
  return labelled(text, input, name);
}

export function checkbox(text: string, name: string): Control<HTMLInputElement> {
  const input = document.createElement("input");
  input.type = "checkbox";
  return labelled(text, input, name);
}

export function setEnabled(control: Control<HTMLElement>, enabled: boolean): void {
  (control.input as HTMLInputElement).disabled = !enabled;
  control.label.classList.toggle("nbviewer3d-disabled", !enabled);
}

export function setShown(control: Control<HTMLElement>, shown: boolean): void {
  control.label.hidden = !shown;
}

/** A number for display: few digits, no trailing noise. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "";
  return Math.abs(value) >= 1000 || Number.isInteger(value)
    ? String(Math.round(value * 100) / 100)
    : String(Number(value.toPrecision(4)));
}
