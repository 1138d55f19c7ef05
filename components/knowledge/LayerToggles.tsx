'use client';

import type { LayerView } from '@/lib/editor/annotations';
import { ATOM_TYPE_LABELS, ATOM_TYPES } from './format';

/** Which highlights the editor draws: the atom and molecule layers, and one atom type or all. */
export function LayerToggles({ view, onChange }: { view: LayerView; onChange: (view: LayerView) => void }) {
  return (
    <div className="layer-toggles" role="group" aria-label="Highlights">
      <label className="layer-toggle">
        <input
          type="checkbox"
          data-testid="layer-toggle-atoms"
          checked={view.atoms}
          onChange={(event) => onChange({ ...view, atoms: event.target.checked })}
        />
        <span className="layer-swatch layer-swatch-atom" aria-hidden="true" /> Atoms
      </label>
      <label className="layer-toggle">
        <input
          type="checkbox"
          data-testid="layer-toggle-molecules"
          checked={view.molecules}
          onChange={(event) => onChange({ ...view, molecules: event.target.checked })}
        />
        <span className="layer-swatch layer-swatch-molecule" aria-hidden="true" /> Molecules
      </label>
      <select
        className="type-filter"
        data-testid="type-filter"
        aria-label="Atom type"
        value={view.atomType ?? ''}
        onChange={(event) => onChange({ ...view, atomType: ATOM_TYPES.find((type) => type === event.target.value) ?? null })}
      >
        <option value="">All atom types</option>
        {ATOM_TYPES.map((type) => (
          <option key={type} value={type}>
            {ATOM_TYPE_LABELS[type]}
          </option>
        ))}
      </select>
    </div>
  );
}
