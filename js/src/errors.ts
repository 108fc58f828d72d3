// Failures read as a sentence in the cell, never a blank box.

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export const NO_WEBGL2 =
  "nbviewer3d needs WebGL2, which this browser did not provide: enable hardware acceleration " +
  "or use a recent Chrome, Firefox or Safari.";

export const CONTEXT_LOST =
  "The browser took this viewer's WebGL context away (too many 3D views or a GPU reset): " +
  "scroll away and back, or re-run the cell, to draw it again.";

/** Shows `message` in `box` (an element kept empty while all is well). */
export function showError(box: HTMLElement, message: string): void {
  box.textContent = message;
  box.hidden = false;
}

export function clearError(box: HTMLElement): void {
  box.textContent = "";
  box.hidden = true;
}
