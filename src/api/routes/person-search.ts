/**
 * Person search by name for clerks (issue 7): `GET /api/v1/persons?name=…&birthDate=…`.
 * Roles `register` or `lookup`, public authorities only (§31-§32; companies
 * identify persons through enquiries, §42(6)). At most 50 candidates, each
 * cut to the customer's scope; one audit record (`person.search`) per search.
 */
import { z } from 'zod';
import { isPrivateKind } from '../../domain/disclosure/policy.ts';
import { parseCivilDate } from '../../domain/dates.ts';
import { MAX_CANDIDATES, PersonSearch } from '../../services/person-search.ts';
import { nameWords } from '../../domain/names/compare.ts';
import { Problem } from '../problems.ts';
import type { Api, ApiContext } from '../server.ts';

export const personSearchSchema = z.object({
  candidates: z.array(
    z.object({
      pnr: z.string().nullable().describe('Null when the customer\'s scope does not hold the person number (DIS-1)'),
      name: z.string().nullable(),
      birthDate: z.string().nullable(),
      status: z.string().nullable(),
      address: z.string().nullable().describe('The current address as one line; null when none is disclosed'),
      municipalityCode: z.string().nullable(),
      addressWithheld: z.string().optional().describe('Why the address is not given'),
      protected: z.boolean().describe('Name-and-address protection (§28): the name and address must not be passed on (§34(2))'),
    }),
  ),
  truncated: z.boolean().describe(`More than ${MAX_CANDIDATES} persons matched: add the birth date or more of the name`),
  limit: z.number(),
});

export function personSearchRoutes(app: Api, ctx: ApiContext): void {
  const search = new PersonSearch(ctx.readers);

  app.get(
    '/api/v1/persons',
    {
      config: { auth: { roles: ['register', 'lookup'] } },
      schema: {
        tags: ['public authorities'],
        summary: `Search persons by name (every word begins a name, any order) and optionally birth date: at most ${MAX_CANDIDATES} candidates, audited as a search`,
        querystring: z.strictObject({
          name: z.string().trim().max(120).describe('Words of the name, e.g. "Karen Ol"'),
          birthDate: z.string().optional().describe('YYYY-MM-DD'),
        }),
        response: { 200: personSearchSchema },
      },
    },
    async (req) => {
      const caller = req.caller!;
      if (isPrivateKind(caller.customer.kind)) {
        throw Problem.of('no_legal_basis', 'Person search by name is for public authorities; companies identify a person with /api/v1/enquiries (§42(6)).', 'Søgning på navn er for offentlige myndigheder; virksomheder identificerer en person med /api/v1/enquiries (§ 42, stk. 6).');
      }
      const { name, birthDate } = req.query;
      if (birthDate !== undefined && parseCivilDate(birthDate) === null) {
        throw Problem.of('invalid_person_search', `birthDate "${birthDate}" is not a date YYYY-MM-DD.`, `birthDate "${birthDate}" er ikke en dato ÅÅÅÅ-MM-DD.`);
      }
      const words = nameWords(name);
      const letters = words.map((w) => w.bare).join('').replace(/[^\p{L}]/gu, '').length;
      // A name search must narrow: 2 letters with a birth date, otherwise two words of the name or 4 letters.
      if (birthDate !== undefined ? letters < 2 : words.length < 2 && letters < 4) {
        throw Problem.of(
          'invalid_person_search',
          birthDate !== undefined ? 'Give at least 2 letters of the name.' : 'Give at least 4 letters of the name, two words of it (e.g. first and last name), or the birth date too.',
          birthDate !== undefined ? 'Angiv mindst 2 bogstaver af navnet.' : 'Angiv mindst 4 bogstaver af navnet, to ord af det (fx fornavn og efternavn), eller også fødselsdatoen.',
        );
      }
      const r = await search.search(caller, { name, ...(birthDate && { birthDate }) }, req.id);
      return { ...r, limit: MAX_CANDIDATES };
    },
  );
}
