// DecodedVolume -> vtkImageData, made once per volume and shared by every view showing it.

import vtkDataArray from "@kitware/vtk.js/Common/Core/DataArray";
import vtkImageData from "@kitware/vtk.js/Common/DataModel/ImageData";
import type { DecodedVolume } from "../payload";

const images = new WeakMap<DecodedVolume, vtkImageData>();

export function imageDataOf(volume: DecodedVolume): vtkImageData {
  let image = images.get(volume);
  if (image) return image;
  const { dims, spacing, origin, direction } = volume.grid;
  image = vtkImageData.newInstance();
  image.setDimensions([...dims]);
  image.setSpacing([...spacing]);
  image.setOrigin([...origin]);
  image.setDirection(Float32Array.from(direction));
  const scalars = vtkDataArray.newInstance({
    name: volume.meta.role,
    numberOfComponents: 1,
    values: volume.values,
  });
  image.getPointData().setScalars(scalars);
  images.set(volume, image);
  return image;
}
