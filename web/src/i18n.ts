/**
 * Every string of the client in Danish (the default) and English (API-2).
 * Each key holds both, so a string cannot be added in one language only; the
 * choice is kept in the browser and sent as Accept-Language, so the server's
 * problem sentences come in the same language.
 */
import { store } from './store.ts';

export type Lang = 'da' | 'en';

const STRINGS = {
  'app.title': ['Det Centrale Personregister', 'The Civil Registration System'],
  'app.loading': ['Henter …', 'Loading …'],
  'app.unreachable': ['Serveren svarer ikke. Prøv igen om lidt.', 'The server does not answer. Try again shortly.'],
  'app.skip': ['Gå til indholdet', 'Skip to content'],
  'app.signedInAs': ['Logget ind som', 'Signed in as'],
  'app.forCustomer': ['for', 'for'],
  'app.language': ['Sprog', 'Language'],
  'app.signOut': ['Log ud', 'Sign out'],
  'app.print': ['Udskriv', 'Print'],
  'app.footer': [
    'OpenCPR · alle personoplysninger her er syntetiske · hvert opslag logges',
    'OpenCPR · all personal data here is synthetic · every lookup is logged',
  ],
  'nav.label': ['Hovedmenu', 'Main menu'],
  'nav.home': ['Forside', 'Home'],
  'nav.person': ['Personopslag', 'Person lookup'],
  'nav.authorisations': ['Autoriserede brugere', 'Authorised users'],
  'nav.log': ['Logsøgning', 'Log search'],
  'nav.statistics': ['Transaktionsstatistik', 'Transaction statistics'],
  'nav.control': ['Kvartalskontrol', 'Quarterly control'],
  'nav.me': ['Mine oplysninger', 'My data'],
  'nav.landlord': ['Beboeropslag', 'Resident search'],
  'nav.clerk': ['Registrering', 'Registration'],
  'nav.cases': ['Sager', 'Cases'],
  'nav.moveReport': ['Anmeld flytning', 'Report a move'],
  'nav.protectionRequest': ['Navne- og adressebeskyttelse', 'Name and address protection'],
  'home.title': ['Velkommen', 'Welcome'],
  'home.intro': [
    'Vælg en tjeneste. Du ser kun de tjenester, din kunde og din bruger er autoriseret til.',
    'Choose a service. You see only the services your customer and your user are authorised for.',
  ],
  'home.noPages': ['Din bruger har ingen tjenester i webklienten.', 'Your user has no services in the web client.'],
  'signIn.title': ['Log ind', 'Sign in'],
  'signIn.intro': ['Log ind med det brugernavn og den adgangskode, din sikkerhedsansvarlige har givet dig.', 'Sign in with the user name and password your security officer gave you.'],
  'signIn.username': ['Brugernavn', 'User name'],
  'signIn.password': ['Adgangskode', 'Password'],
  'signIn.submit': ['Log ind', 'Sign in'],
  'signIn.wrong': ['Brugernavnet eller adgangskoden er forkert.', 'The user name or password is wrong.'],
  'signIn.demo': [
    'Demo: "npm start" udskriver brugernavne og adgangskoder til demokunderne. Alle data er syntetiske.',
    'Demo: "npm start" prints user names and passwords for the demo customers. All data is synthetic.',
  ],
  'lock.title': ['Sessionen er låst', 'The session is locked'],
  'lock.short': ['låst', 'locked'],
  'lock.intro': [
    'Der har ikke været aktivitet i 10 minutter, så siden er låst (standardvilkår § 7). {name}: angiv din adgangskode for at fortsætte.',
    'There has been no activity for 10 minutes, so the page is locked (standard terms §7). {name}: give your password to go on.',
  ],
  'lock.unlock': ['Lås op', 'Unlock'],
  'lock.wrong': ['Adgangskoden er forkert.', 'The password is wrong.'],
  'form.choose': ['Vælg …', 'Choose …'],
  'table.empty': ['Ingen rækker.', 'No rows.'],

  'person.intro': [
    'Slå en person op på personnummer. Svaret er afgrænset til din myndigheds hjemmel og indeholder historikken.',
    'Look a person up by person number. The answer is cut to your authority\'s legal basis and includes the history.',
  ],
  'person.pnr': ['Personnummer', 'Person number'],
  'person.pnrHint': ['DDMMÅÅ-LLLL', 'DDMMYY-SSSS'],
  'person.validAt': ['Gyldig på dato (virkning)', 'Valid on date'],
  'person.knownAt': ['Som kendt på dato (registrering)', 'As known on date'],
  'person.lookUp': ['Slå op', 'Look up'],
  'person.logged': ['Opslaget logges med din bruger, tid og personnummer.', 'The lookup is logged with your user, the time and the person number.'],
  'person.noName': ['(uden navn)', '(no name)'],
  'person.protected': [
    'gælder fra {from} til {to}: navn og adresse må ikke videregives (§ 34, stk. 2).',
    'applies from {from} to {to}: the name and address must not be passed on (§34(2)).',
  ],
  'person.asOf': ['Oplysninger gyldige {validAt}, som registret kendte dem {knownAt}.', 'Data valid on {validAt}, as the register knew it at {knownAt}.'],
  'person.addressingName': ['Adresseringsnavn', 'Addressing name'],
  'person.municipality': ['Kommune', 'Municipality'],
  'person.moveDate': ['Tilflytningsdato', 'Moved in'],
  'person.birthDate': ['Fødselsdato', 'Birth date'],
  'person.protections': ['Beskyttelser', 'Protections'],
  'person.until': ['til', 'until'],
  'person.withheld': ['{n} oplysninger er ikke udleveret', '{n} items were not disclosed'],
  'person.history': ['Historik', 'History'],
  'person.historyIntro': [
    'Hver version med gyldighedsperiode (virkning) og registreringsperiode. Versioner, der senere er rettet eller annulleret, vises overstreget.',
    'Each version with its validity period and registration period. Versions later corrected or annulled are shown struck through.',
  ],
  'person.historyGroup': ['Vis oplysning', 'Show item'],
  'person.allGroups': ['Alle oplysninger', 'All items'],
  'person.noHistory': ['Ingen historik.', 'No history.'],
  'person.col.group': ['Oplysning', 'Item'],
  'person.col.value': ['Værdi', 'Value'],
  'person.col.validFrom': ['Gyldig fra', 'Valid from'],
  'person.col.validTo': ['Gyldig til', 'Valid to'],
  'person.col.registeredFrom': ['Registreret', 'Registered'],
  'person.col.registeredTo': ['Afløst', 'Superseded'],
  'person.superseded': ['rettet/annulleret {at}', 'corrected/annulled {at}'],
  'person.current': ['gældende', 'in force'],

  'group.name': ['Navn', 'Name'],
  'group.address': ['Adresse', 'Address'],
  'group.birth': ['Fødsel', 'Birth'],
  'group.status': ['Status', 'Status'],
  'group.civilStatus': ['Civilstand', 'Civil status'],
  'group.citizenship': ['Statsborgerskab', 'Citizenship'],
  'group.church': ['Folkekirke', 'National church'],
  'group.occupation': ['Stilling', 'Occupation'],
  'group.protection': ['Beskyttelse', 'Protection'],
  'group.guardianship': ['Værgemål', 'Guardianship'],
  'group.parents': ['Forældre', 'Parents'],
  'group.mother': ['Mor', 'Mother'],
  'group.father': ['Far', 'Father'],
  'group.marketingProtection': ['Reklamebeskyttelse', 'Marketing protection'],

  'auth.intro': [
    'Alle brugere og systemer hos {customer} med start- og slutdato for autorisationen (standardvilkår § 3).',
    'Every user and system program of {customer} with the start and end date of its authorisation (standard terms §3).',
  ],
  'auth.caption': ['Autoriserede brugere og systemer hos {customer}', 'Authorised users and programs of {customer}'],
  'auth.col.name': ['Navn', 'Name'],
  'auth.col.kind': ['Type', 'Kind'],
  'auth.col.id': ['Id', 'Id'],
  'auth.col.roles': ['Roller', 'Roles'],
  'auth.col.from': ['Fra', 'From'],
  'auth.col.to': ['Til', 'To'],
  'auth.col.status': ['Status', 'Status'],
  'auth.col.credentials': ['Aktive nøgler', 'Active keys'],
  'auth.user': ['bruger', 'user'],
  'auth.program': ['system', 'program'],
  'auth.noEnd': ['ingen slutdato', 'no end date'],
  'auth.status.active': ['aktiv', 'active'],
  'auth.status.ended': ['ophørt', 'ended'],
  'auth.status.future': ['endnu ikke startet', 'not yet started'],
  'auth.setPassword': ['Giv adgangskode til webklienten', 'Give a web client password'],
  'auth.setPasswordIntro': [
    'Brugeren logger ind med brugernavn og adgangskode. En ny adgangskode afslutter brugerens åbne sessioner.',
    'The user signs in with user name and password. A new password ends the user\'s open sessions.',
  ],
  'auth.newPassword': ['Ny adgangskode', 'New password'],
  'auth.passwordRule': ['Mindst 12 tegn.', 'At least 12 characters.'],
  'auth.passwordSet': ['Adgangskoden er sat for {username}.', 'The password for {username} is set.'],

  'log.intro': [
    'Søg i jeres egne brugeres opslag: alle, eller efter bruger, personnummer, transaktionstype og periode.',
    'Search your own users\' lookups: all, or by user, person number, transaction type and period.',
  ],
  'log.user': ['Bruger', 'User'],
  'log.allUsers': ['Alle brugere', 'All users'],
  'log.type': ['Transaktionstype', 'Transaction type'],
  'log.from': ['Fra dato', 'From date'],
  'log.to': ['Til dato', 'To date'],
  'log.search': ['Søg', 'Search'],
  'log.logged': ['Logsøgningen logges også.', 'The log search is logged too.'],
  'log.count': ['{n} opslag fundet', '{n} lookups found'],
  'log.export': ['Eksportér (CSV)', 'Export (CSV)'],
  'log.caption': ['Logposter', 'Log records'],
  'log.none': ['Ingen opslag i perioden.', 'No lookups in the period.'],
  'log.more': ['Vis flere', 'Show more'],
  'log.col.time': ['Tidspunkt', 'Time'],
  'log.col.user': ['Bruger', 'User'],
  'log.col.userId': ['Bruger-id', 'User id'],
  'log.col.type': ['Type', 'Type'],
  'log.col.persons': ['Personer/adresser', 'Persons/addresses'],
  'log.col.basis': ['Hjemmel', 'Legal basis'],
  'log.col.request': ['Forespørgsels-id', 'Request id'],

  'stats.intro': ['Antal transaktioner pr. bruger, transaktionstype og måned.', 'Number of transactions per user, transaction type and month.'],
  'stats.from': ['Fra måned', 'From month'],
  'stats.to': ['Til måned', 'To month'],
  'stats.show': ['Vis', 'Show'],
  'stats.chart': ['Transaktioner pr. måned og type', 'Transactions per month and type'],
  'stats.chartAlt': ['Tallene står i tabellen nedenfor.', 'The numbers are in the table below.'],
  'stats.caption': ['Transaktioner pr. bruger, type og måned', 'Transactions per user, type and month'],
  'stats.none': ['Ingen transaktioner i perioden.', 'No transactions in the period.'],
  'stats.col.month': ['Måned', 'Month'],
  'stats.col.count': ['Antal', 'Count'],

  'control.intro': [
    'Kontrol for {quarter}: hvad den sikkerhedsansvarlige skal gennemgå mindst hvert kvartal (standardvilkår § 3).',
    'Control for {quarter}: what the security officer must review at least every quarter (standard terms §3).',
  ],
  'control.ok': ['i orden', 'in order'],
  'control.noEnd': ['Autorisationer uden slutdato', 'Authorisations without an end date'],
  'control.noEndWhy': ['Hver autorisation skal have en slutdato; sæt en, eller bekræft at brugeren fortsat har behov.', 'Each authorisation should have an end date; set one, or confirm that the user still needs access.'],
  'control.endedLive': ['Ophørte autorisationer med aktive nøgler', 'Ended authorisations with live keys'],
  'control.endedLiveWhy': ['Nøglerne virker ikke længere, men bør tilbagekaldes.', 'The keys no longer work, but should be revoked.'],
  'control.neverExpire': ['Nøgler uden udløb', 'Keys that never expire'],
  'control.neverExpireWhy': ['Overvej en udløbsdato for systemers nøgler.', 'Consider an expiry date for programs\' keys.'],
  'control.unusual': ['Usædvanlig aktivitet', 'Unusual activity'],
  'control.unusualWhy': [
    'Brugere med mere end tre gange så mange opslag som medianen ({median}) i kvartalet. Se deres opslag i logsøgningen, fx om de har slået mange beskyttede personer op.',
    'Users with more than three times the median number of lookups ({median}) this quarter. Look at their lookups in the log search, e.g. whether they looked up many protected persons.',
  ],
  'control.lookups': ['{n} opslag', '{n} lookups'],
  'control.seeLog': ['se loggen', 'see the log'],
  'control.confirm': ['Gennemgang', 'Review'],
  'control.confirmText': [
    'Gennemgå de {n} aktive autorisationer: har hver bruger og hvert system stadig et arbejdsbetinget behov? Udskriv siden som dokumentation for kontrollen.',
    'Go through the {n} active authorisations: does each user and program still need access for its work? Print the page to document the control.',
  ],

  'me.intro': [
    'Dine egne oplysninger i CPR (§ 46): nuværende og tidligere oplysninger, din families personnumre og hvem der har slået dig op.',
    'Your own data in CPR (§46): current and former data, your family\'s person numbers, and who looked you up.',
  ],
  'me.text': ['Hent som tekst', 'Download as text'],
  'me.issued': ['Udstedt {at}; oplysninger gyldige {validAt}.', 'Issued {at}; data valid on {validAt}.'],
  'me.protected': ['Du har {type} til {to}.', 'You have {type} until {to}.'],
  'me.current': ['Nuværende oplysninger', 'Current data'],
  'me.family': ['Familie', 'Family'],
  'me.noFamily': ['Ingen registrerede familierelationer.', 'No registered family relations.'],
  'me.mother': ['Mor', 'Mother'],
  'me.father': ['Far', 'Father'],
  'me.child': ['Barn', 'Child'],
  'me.spouse': ['Ægtefælle', 'Spouse'],
  'me.formerSpouse': ['Tidligere ægtefælle', 'Former spouse'],
  'me.col.relation': ['Relation', 'Relation'],
  'me.col.since': ['Siden', 'Since'],
  'me.lookups': ['Hvem har slået dig op', 'Who looked you up'],
  'me.lookupsIntro': ['Myndigheder og virksomheder, der har set dine oplysninger, og lister du har været på.', 'Authorities and companies that saw your data, and lists you were on.'],
  'me.noLookups': ['Ingen har slået dig op.', 'Nobody looked you up.'],
  'me.col.who': ['Hvem', 'Who'],
  'me.history': ['Tidligere og nuværende oplysninger', 'Former and current data'],
} as const satisfies Record<string, readonly [string, string]>;

export type Key = keyof typeof STRINGS;

const stored = typeof localStorage !== 'undefined' ? localStorage.getItem('opencpr.lang') : null;
export const lang = store<Lang>(stored === 'en' ? 'en' : 'da');
document.documentElement.lang = lang.get();

export function setLang(l: Lang): void {
  localStorage.setItem('opencpr.lang', l);
  document.documentElement.lang = l;
  lang.set(l);
}

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  const s: string = STRINGS[key][lang.get() === 'da' ? 0 : 1];
  return s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}

/** For tests and tooling: every key with both languages. */
export const ALL_STRINGS: Readonly<Record<string, readonly [string, string]>> = STRINGS;
