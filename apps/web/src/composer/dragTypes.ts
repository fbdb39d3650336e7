// Drag-and-drop payload types shared by the catalog picker and the composition outline.
export const CATALOG_DRAG = 'application/x-oscompose-catalog';
export const ITEM_DRAG = 'application/x-oscompose-item';
