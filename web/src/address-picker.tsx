/**
 * Address type-ahead over the DAR register (issue 7): one combobox (WAI-ARIA
 * 1.2 pattern: `role="combobox"`, `aria-expanded`, `aria-controls`,
 * `aria-activedescendant`, a `listbox` of `option`s) that suggests roads as the
 * road name is typed ("Bryde" or "Bryde 2791"), then the road's house numbers,
 * then its unit addresses (floor, door). Arrow keys move, Enter picks, Escape
 * closes. Data: GET /api/v1/addresses (public address data, no persons).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, qs } from './api.ts';
import { t } from './i18n.ts';
import { Notice } from './ui.tsx';

export interface PickedAddress {
  /** DAR adresse id (the unit address). */
  addressId: string;
  /** DAR husnummer id (the stairwell). */
  houseNumberId: string;
  municipalityCode: string;
  roadName: string;
  houseNumber: string;
  floor: string;
  door: string;
  postalCode: string;
  label: string;
}

interface Road {
  municipalityCode: string;
  roadCode: string;
  roadName: string;
  postalCode: string;
  postalDistrict: string;
  houseNumbers: number;
}
interface House {
  id: string;
  municipalityCode: string;
  roadCode: string;
  roadName: string;
  houseNumber: string;
  postalCode: string;
  postalDistrict: string;
  label: string;
}
interface Unit {
  id: string;
  houseNumberId: string;
  floor: string | null;
  door: string | null;
  label: string;
}
interface Answer {
  kind: 'roads' | 'houseNumbers' | 'units';
  roads: Road[];
  houseNumbers: House[];
  units: Unit[];
  houseNumber?: House;
}

type Option = { key: string; label: string; hint?: string; pick: () => void };

export function AddressPicker({ id, label, onPick }: { id: string; label: string; onPick: (a: PickedAddress) => void }) {
  const [text, setText] = useState('');
  const [road, setRoad] = useState<Road | null>(null);
  const [house, setHouse] = useState<House | null>(null);
  const [options, setOptions] = useState<Option[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const seq = useRef(0);
  const input = useRef<HTMLInputElement>(null);
  const listId = `${id}-list`;

  const choose = (a: PickedAddress) => {
    setText(a.label);
    setOpen(false);
    setOptions([]);
    setMessage(t('addr.picked', { label: a.label }));
    onPick(a);
  };
  const pickUnit = (h: House, u: Unit) =>
    choose({ addressId: u.id, houseNumberId: h.id, municipalityCode: h.municipalityCode, roadName: h.roadName, houseNumber: h.houseNumber, floor: u.floor ?? '', door: u.door ?? '', postalCode: h.postalCode, label: u.label });

  /** Asks the server for what fits the text typed so far; a later answer replaces an earlier one. */
  const suggest = async (value: string, r: Road | null, h: House | null) => {
    const n = ++seq.current;
    setError('');
    let q: Record<string, string> | null = null;
    let stage: 'roads' | 'houses' | 'units' = 'roads';
    if (h && value.startsWith(`${h.roadName} ${h.houseNumber},`)) {
      stage = 'units';
      q = { houseNumberId: h.id };
    } else if (r && value.toLowerCase().startsWith(`${r.roadName} `.toLowerCase())) {
      stage = 'houses';
      const prefix = value.slice(r.roadName.length + 1).trim();
      q = { municipalityCode: r.municipalityCode, roadCode: r.roadCode, postalCode: r.postalCode, ...(prefix && { houseNumber: prefix.slice(0, 4) }) };
    } else {
      // "Bryde 2791": a 4-digit word is the postal code, the rest the road name's beginning.
      const m = /^(.*?)\s*\b(\d{4})\s*$/.exec(value.trim());
      const name = (m ? m[1]! : value).trim();
      const postalCode = m ? m[2] : undefined;
      if (name.replace(/[^\p{L}\p{N}]/gu, '').length < (postalCode ? 1 : 2)) {
        setOptions([]);
        setOpen(false);
        setMessage('');
        return;
      }
      q = { road: name, ...(postalCode && { postalCode }) };
    }
    try {
      const a = await api<Answer>('GET', `/api/v1/addresses${qs({ ...q, limit: 20 })}`);
      if (n !== seq.current) return;
      let opts: Option[] = [];
      if (stage === 'roads') {
        opts = a.roads.map((x) => ({
          key: `${x.municipalityCode}-${x.roadCode}-${x.postalCode}`,
          label: `${x.roadName}, ${x.postalCode} ${x.postalDistrict}`,
          hint: t('addr.houseCount', { n: x.houseNumbers }),
          pick: () => {
            setRoad(x);
            setHouse(null);
            setOptions([]);
            setActive(-1);
            const v = `${x.roadName} `;
            setText(v);
            input.current?.focus();
            void suggest(v, x, null);
          },
        }));
      } else if (stage === 'houses') {
        opts = a.houseNumbers.map((x) => ({
          key: x.id,
          label: x.label,
          pick: () => {
            setHouse(x);
            setOptions([]);
            setActive(-1);
            const v = `${x.roadName} ${x.houseNumber}, `;
            setText(v);
            input.current?.focus();
            void suggest(v, r, x);
          },
        }));
      } else if (h) {
        // One unit without floor or door: that is the address.
        if (a.units.length === 1 && !a.units[0]!.floor && !a.units[0]!.door) {
          pickUnit(h, a.units[0]!);
          return;
        }
        const typed = value.slice(`${h.roadName} ${h.houseNumber},`.length).trim().toLowerCase().replace(/[.\s]/g, '');
        opts = a.units
          .filter((u) => !typed || `${u.floor ?? ''}${u.door ?? ''}`.toLowerCase().startsWith(typed))
          .map((u) => ({ key: u.id, label: u.label, pick: () => pickUnit(h, u) }));
      }
      setOptions(opts);
      setActive(opts.length ? 0 : -1);
      setOpen(true);
      setMessage(opts.length ? t('addr.count', { n: opts.length }) : t('addr.none'));
    } catch (e) {
      if (n !== seq.current) return;
      setOptions([]);
      setOpen(false);
      setMessage('');
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  // Wait for a pause in typing (200 ms) before asking.
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const onInput = (value: string) => {
    setText(value);
    // The suggestions shown are for the text before: Enter picks nothing until the new ones come.
    setActive(-1);
    let r = road;
    let h = house;
    if (h && !value.startsWith(`${h.roadName} ${h.houseNumber},`)) h = null;
    if (r && !value.toLowerCase().startsWith(`${r.roadName} `.toLowerCase())) r = null;
    setRoad(r);
    setHouse(h);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void suggest(value, r, h), 200);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (!open && options.length) setOpen(true);
      setActive((i) => (options.length ? (i + 1) % options.length : -1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((i) => (options.length ? (i - 1 + options.length) % options.length : -1));
    } else if (e.key === 'Enter') {
      if (open && active >= 0 && options[active]) {
        e.preventDefault();
        options[active]!.pick();
      }
    } else if (e.key === 'Escape') {
      if (open) {
        e.preventDefault();
        setOpen(false);
      }
    }
  };

  const optionId = (i: number) => `${id}-opt-${i}`;
  return (
    <div class="field combobox">
      <label for={id}>{label}</label>
      <p class="hint" id={`${id}-hint`}>
        {t('addr.hint')}
      </p>
      <input
        id={id}
        ref={input}
        type="text"
        role="combobox"
        autocomplete="off"
        aria-autocomplete="list"
        aria-expanded={open && options.length > 0}
        aria-controls={listId}
        aria-describedby={`${id}-hint`}
        aria-activedescendant={open && active >= 0 ? optionId(active) : undefined}
        value={text}
        onInput={(e) => onInput(e.currentTarget.value)}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      <ul id={listId} role="listbox" aria-label={label} class="suggestions" hidden={!open || options.length === 0}>
        {options.map((o, i) => (
          <li
            key={o.key}
            id={optionId(i)}
            role="option"
            aria-selected={i === active}
            class={i === active ? 'active' : undefined}
            onMouseDown={(e) => {
              e.preventDefault();
              o.pick();
            }}
          >
            {o.label}
            {o.hint && <span class="hint"> · {o.hint}</span>}
          </li>
        ))}
      </ul>
      <p class="sr-only" role="status" aria-live="polite">
        {message}
      </p>
      {error && <Notice kind="error">{error}</Notice>}
    </div>
  );
}
