// vtk.js ships no typings for these modules.
declare module "@kitware/vtk.js/Rendering/Core/ColorTransferFunction/ColorMapsLite" {
  import type { IColorMapPreset } from "@kitware/vtk.js/Rendering/Core/ColorTransferFunction/ColorMaps";

  const vtkColorMapsLite: {
    addPreset(preset: IColorMapPreset): void;
    getPresetByName(name: string): IColorMapPreset | undefined;
    rgbPresetNames: string[];
  };
  export default vtkColorMapsLite;
}
declare module "@kitware/vtk.js/Rendering/OpenGL/Profiles/Volume";
