// The texts of the accuracy parity fixture: short invented news stories (every name, figure and
// event here is made up for the fixture), turned deterministically into prediction/reference
// pairs of the kinds a summariser produces, plus hand-made edge cases and texts aimed at the
// sentence splitter's heuristics. make-fixture.mjs hands them to the Python reference.

/** Each story: reference sentences and alternative sentences a model might write instead. */
const STORIES = [
  {
    ref: [
      "Dr. Amelia Hart, a surgeon at St. Jude's Hospital in Memphis, performed the first robotic heart transplant in the U.S. on Tuesday.",
      'The operation lasted 6.5 hours and the patient, 54, is in stable condition.',
      'Hart said the team had rehearsed the procedure more than 1,000 times on simulators.',
    ],
    alt: [
      'A Memphis surgeon has carried out the first U.S. heart transplant performed by a robot.',
      "Dr. Hart's team practised over 1,000 times before the six-and-a-half-hour operation.",
      'The 54-year-old patient is said to be stable.',
      'Doctors called it "a new chapter" for cardiac surgery.',
    ],
  },
  {
    ref: [
      'Shares of Bellweather Corp. fell 10.5% on Monday after the company warned that profits would miss forecasts.',
      'The firm, based in Hartford, Conn., blamed a $2.4 billion write-down on its insurance unit.',
      'Analysts at Grant & Co. cut their price target to $41.',
    ],
    alt: [
      'Bellweather Corp. stock dropped more than 10 per cent after a profit warning.',
      'The insurer took a $2.4bn charge on its insurance business.',
      'Grant & Co. lowered its target price for the shares.',
      'Investors had expected record earnings this year.',
    ],
  },
  {
    ref: [
      'Mr. and Mrs. Okafor won the £1.2 million lottery jackpot with a ticket bought at a petrol station in Leeds, U.K.',
      'The couple, who have been married for 31 years, said they would pay off their mortgage first.',
      '"We checked the numbers five times," Mrs. Okafor said.',
    ],
    alt: [
      'A couple from Leeds have scooped a £1.2m jackpot.',
      'Mrs. Okafor said: "We checked the numbers five times."',
      'They plan to clear their mortgage and take a holiday.',
      'The winning ticket cost £2.',
    ],
  },
  {
    ref: [
      'The novel, written by J. R. R. Tolkien in 1937, has sold more than 100 million copies worldwide.',
      'A first edition signed by the author was auctioned in London on Jan. 14 for £137,500.',
      'The buyer, who asked not to be named, is a collector from Zürich.',
    ],
    alt: [
      'A signed first edition of the 1937 novel fetched £137,500 at auction.',
      "J.R.R. Tolkien's book has sold over 100 million copies.",
      'The anonymous buyer is a Swiss collector.',
      'The sale took place in January.',
    ],
  },
  {
    ref: [
      'Police in São Paulo arrested 12 people after a robbery at a jewellery store on Rua Augusta at 3 a.m. on Sunday.',
      'Officers recovered watches worth about 2.3 million reais.',
      'No one was injured, a spokesman said.',
    ],
    alt: [
      '12 suspects have been detained over an early-morning raid on a São Paulo jeweller.',
      'Stolen watches worth roughly 2.3m reais were found.',
      'Nobody was hurt in the robbery.',
      'The gang struck at about 3 a.m. local time.',
    ],
  },
  {
    ref: [
      'Hurricane Delia made landfall near Corpus Christi, Texas, at 11 p.m. Thursday with winds of 130 mph.',
      'More than 400,000 homes lost power.',
      'Gov. Ray Alvarez declared a state of emergency in 23 counties.',
      'Forecasters expect up to 20 inches of rain over the weekend.',
    ],
    alt: [
      'Hurricane Delia hit the Texas coast late on Thursday, cutting power to 400,000 homes.',
      'The governor has declared an emergency in 23 counties.',
      'Up to 20in of rain is forecast.',
      'Winds reached 130mph as the storm came ashore.',
    ],
  },
  {
    ref: [
      "José Mourinho's side beat Real Sociedad 3-1 on Saturday to move top of the table.",
      'Striker Zoë Lindqvist scored twice in the first half.',
      'The coach called it "the best performance of the season."',
    ],
    alt: [
      "Lindqvist's double helped José Mourinho's team go top with a 3-1 win.",
      'The manager described the display as the best of the season.',
      'Real Sociedad pulled a goal back late on.',
    ],
  },
  {
    ref: [
      'The U.N. Security Council voted 13-0 to extend the peacekeeping mission for another 12 months.',
      'Two members, China and Russia, abstained.',
      'The mission, known as UNMISA, has about 14,000 troops.',
    ],
    alt: [
      'The U.N. has extended its peacekeeping mission by a year.',
      'China and Russia abstained in the 13-0 vote.',
      'Around 14,000 troops serve with the force.',
      'Is the mission working? Critics say no.',
    ],
  },
  {
    ref: [
      'Apple Inc. unveiled a foldable tablet on Wednesday priced at $1,999.',
      'The device goes on sale Sept. 20 in the U.S., U.K. and Japan.',
      'Chief executive Tim Cook said it was "the most ambitious product we have ever made."',
    ],
    alt: [
      'Apple has revealed a foldable tablet costing $1,999.',
      'It will be available from September 20 in three countries.',
      'Tim Cook called it "the most ambitious product we have ever made".',
      'Some analysts questioned the price.',
    ],
  },
  {
    ref: [
      "A 7-year-old boy from Dayton, Ohio, has raised $58,000 for a children's hospital by selling lemonade.",
      'Eli Brooks set up his stand after his sister was treated for leukaemia.',
      'His goal was $500!',
    ],
    alt: [
      'Seven-year-old Eli Brooks raised $58,000 selling lemonade.',
      'The money will go to the hospital that treated his sister.',
      'He had hoped to raise just $500.',
    ],
  },
  {
    ref: [
      'Scientists at the University of Cambridge say a new drug slowed memory loss by 27% in a trial of 1,795 patients.',
      'The results were published in the New England Journal of Medicine.',
      'Prof. Helen Marr cautioned that the drug caused brain swelling in some participants.',
    ],
    alt: [
      'A drug slowed memory decline by 27% in a large trial, researchers say.',
      'Prof. Marr warned of side effects including brain swelling.',
      'The findings appear in the New England Journal of Medicine.',
      'The trial involved almost 1,800 people.',
    ],
  },
  {
    ref: [
      'The eruption of Mount Keralo forced 9,000 residents to leave their homes.',
      'Ash clouds reached a height of 15 km, grounding flights across the region.',
      'Officials said the volcano could erupt again "within days or weeks."',
    ],
    alt: [
      'Thousands have fled after Mount Keralo erupted.',
      'Flights were grounded as ash rose 15km into the sky.',
      'Authorities warned another eruption is possible.',
      '9,000 people were evacuated.',
    ],
  },
  {
    ref: [
      'Sen. Maria Ortiz (D-N.M.) introduced a bill on Monday to cap the price of insulin at $35 a month.',
      'The measure has 41 co-sponsors.',
      'Drugmakers, including Novagen Ltd., oppose the plan.',
    ],
    alt: [
      'A senator wants insulin prices capped at $35 per month.',
      "Sen. Ortiz's bill is backed by 41 colleagues.",
      'Pharmaceutical companies have criticised the proposal.',
    ],
  },
  {
    ref: [
      'The 2.5-mile-long Harbour Bridge reopened at 6 a.m. after an 18-month, $310 million repair.',
      'Commuters said the closure had added 40 minutes to their daily journey.',
      'The city\'s mayor, Mr. Lee, called it "money well spent."',
    ],
    alt: [
      'The Harbour Bridge is open again following repairs costing $310m.',
      'Drivers faced 40-minute detours during the 18-month closure.',
      'Mayor Lee said the money was well spent.',
      'Engineers replaced 1,200 steel cables.',
    ],
  },
  {
    ref: [
      '"I never thought I\'d see this day," said Margaret Doyle, 102, as she received her high-school diploma.',
      'Doyle left school in 1938 to care for her siblings.',
      'Her great-grandson, a teacher at the school, handed her the certificate.',
    ],
    alt: [
      'A 102-year-old woman has finally received her high school diploma.',
      'Margaret Doyle had to leave school in 1938.',
      '"I never thought I\'d see this day," she said.',
    ],
  },
  {
    ref: [
      "NASA's Perseus probe sent back the first close-up images of the asteroid 2031 QX on Friday.",
      'The photos show a rocky surface covered in boulders up to 30 m across.',
      'Mission scientist Dr. K. L. Banerjee said the data would "keep us busy for years."',
    ],
    alt: [
      'The Perseus probe has photographed asteroid 2031 QX up close.',
      'Boulders as large as 30 metres can be seen on its surface.',
      'Dr. Banerjee said the images would keep scientists busy for years.',
      'The probe launched in 2027.',
    ],
  },
  {
    ref: [
      'Fire crews battled a blaze at a warehouse on Elm St. in Springfield for nine hours.',
      'About 60 firefighters were called to the scene at 2:15 a.m.',
      'The cause is under investigation.',
    ],
    alt: [
      'A warehouse fire in Springfield took nine hours to bring under control.',
      'Sixty firefighters attended.',
      'Investigators have not yet established the cause...',
    ],
  },
  {
    ref: [
      'The Bank of England raised interest rates by 0.25 percentage points to 5.25%, the highest level in 15 years.',
      'Governor Andrew Bailey said inflation was "still far too high."',
      'Mortgage holders face higher monthly payments.',
    ],
    alt: [
      'UK interest rates have risen to 5.25%.',
      'The Bank of England said inflation remained far too high.',
      'Homeowners with variable mortgages will pay more.',
      'It is the 14th rise in a row.',
    ],
  },
  {
    ref: [
      'Café owner Renée Dubois was fined €5,000 for serving unlicensed absinthe in her Montmartre bistro.',
      'Dubois said she had "no idea" the drink required a permit.',
      'Customers launched an online petition in her support.',
    ],
    alt: [
      'A Paris café owner has been fined €5,000 over absinthe sales.',
      'Renée Dubois said she did not know a licence was needed.',
      'Regulars have started a petition backing her.',
    ],
  },
  {
    ref: [
      'The U.S. economy added 263,000 jobs in November, beating forecasts.',
      'The unemployment rate held at 3.7%.',
      'Average hourly earnings rose 0.6%, the biggest gain since Jan. 2022.',
    ],
    alt: [
      'US employers added 263,000 jobs last month.',
      'Unemployment stayed at 3.7 per cent.',
      'Wage growth was the strongest in almost a year.',
      'Economists had expected about 200,000 new jobs.',
    ],
  },
  {
    ref: [
      'Two climbers were rescued from K2 after being stranded for three days at 7,900 metres.',
      'A Nepalese team reached them on Wednesday morning.',
      'One of the climbers, Tomás Rivera, suffered severe frostbite.',
    ],
    alt: [
      'Rescuers have saved two climbers stuck high on K2.',
      'The pair spent three days at almost 8,000m.',
      'Tomás Rivera is being treated for frostbite.',
    ],
  },
  {
    ref: [
      'Volkswagen AG will recall 143,000 vehicles in North America because of a faulty airbag sensor.',
      'The company said it knew of no injuries linked to the problem.',
      'Dealers will replace the part free of charge.',
    ],
    alt: [
      'VW is recalling 143,000 cars over an airbag fault.',
      'No injuries have been reported, the carmaker said.',
      'Owners can get the sensor replaced for free.',
      'The recall covers models built between 2019 and 2021.',
    ],
  },
  {
    ref: [
      'A rare Roman coin found by a metal detectorist in Norfolk sold for £52,000.',
      'The gold aureus bears the head of Emperor Allectus, who ruled Britain from A.D. 293 to 296.',
      'Only 24 such coins are known to exist.',
    ],
    alt: [
      "A detectorist's find of a rare Roman gold coin has sold for £52,000.",
      'It shows Allectus, who ruled Britain in the 3rd century A.D.',
      'Just two dozen are known.',
    ],
  },
  {
    ref: [
      'Heavy snow closed 300 schools across upstate New York on Monday.',
      'Buffalo recorded 28 inches in 24 hours.',
      'The National Weather Service warned drivers to "stay off the roads unless absolutely necessary."',
    ],
    alt: [
      'Hundreds of schools shut as snow blanketed upstate New York.',
      'Nearly 28in fell in Buffalo in a single day.',
      'Forecasters urged people not to drive.',
      'More snow is expected on Wednesday.',
    ],
  },
  {
    ref: [
      'The World Health Organization said cases of measles rose 79% worldwide last year.',
      'Vaccination rates fell during the pandemic, leaving millions of children unprotected.',
      'Dr. Kate O\'Brien said the figures were "a wake-up call."',
    ],
    alt: [
      'Measles cases jumped 79% globally, according to the WHO.',
      'Falling vaccination rates are being blamed.',
      'A WHO official described the numbers as a wake-up call.',
    ],
  },
];

/** Hand-made pairs for the edge cases evaluation.py meets: empty and blank texts, identical pairs, odd characters. */
const SPECIAL_PAIRS = [
  ['', 'The company reported a loss of $3.5 million.'],
  ['   ', 'Officials said the road would reopen on Friday.'],
  ['\n\n\t \n', 'Two people were hurt.'],
  ['The plane landed safely.', ''],
  ['', ''],
  ['The plane landed safely at 4 p.m.', 'The plane landed safely at 4 p.m.'],
  ['Mr. Smith said no. Mrs. Smith said yes.', 'Mr. Smith said no. Mrs. Smith said yes.'],
  ['...', 'Nothing was found.'],
  ['!!!', '???'],
  ['-- -- --', 'The match was abandoned.'],
  ['The vote passed 52-48', 'The vote passed 52-48.'],
  ['Prices rose 3.5%. Then they fell 1.2%.', 'Prices rose by 3.5 per cent, then fell by 1.2 per cent.'],
  ['He asked: "Why now?" Nobody answered.', 'He asked why now, and nobody answered.'],
  ['She said, \'He told me "never again."\' Then she left.', 'She said he had told her never again, and left.'],
  [
    'The U.S. and the U.K. signed the pact. The E.U. did not.',
    'The US and UK signed the agreement, but the EU did not.',
  ],
  ['Temperatures hit 45°C in Seville — a record.', 'Seville recorded a record 45C.'],
  ['Naïve investors lost €1,000,000 in the scheme.', 'Naive investors lost one million euros.'],
  ['İstanbul and Ankara were hit by the quake.', 'Istanbul and Ankara felt the earthquake.'],
  ['The 3rd-quarter results beat estimates (again).', 'Third-quarter results beat estimates again.'],
  ['“It’s over,” she said. “We lost.”', '"It\'s over," she said. "We lost."'],
  [
    'Summary:\n\n- Sales up 4%\n- Costs down 2%\n- Outlook raised',
    'Sales rose 4% and costs fell 2%. The outlook was raised.',
  ],
  [
    '1. The bridge reopened.\n2. Traffic eased.\n3. Shops reported more customers.',
    'The bridge reopened. Traffic eased. Shops reported more customers.',
  ],
  ['Wait... what happened next?', 'What happened next was unclear.'],
  ['The CEO resigned!!! Shares jumped.', 'The chief executive resigned and shares rose.'],
  [
    'No. 10 Downing St. confirmed the meeting at 9 a.m. Mr. Patel will attend.',
    'Downing Street confirmed a 9am meeting that Mr Patel will attend.',
  ],
  ['Results: 12.5% growth in Q3... and 8.1% in Q4.', 'Growth was 12.5% in the third quarter and 8.1% in the fourth.'],
  ['A. B. Cooper and C. D. Lim co-wrote the report.', 'The report was written by Cooper and Lim.'],
  [
    'The team won 2-0 in St. Louis on Sat. Fans celebrated.',
    'The team won 2-0 in St Louis on Saturday and fans celebrated.',
  ],
  [
    'Growth slowed to 1.9 per cent in the year to March , the ONS said .',
    'Growth slowed to 1.9% in the year to March, the ONS said.',
  ],
  ["The firm's shares (NYSE: BWC) fell 4%. The Dow rose.", 'Shares in the firm fell 4% while the Dow rose.'],
  ['Ⅻ chapters, ½ finished: the draft is 50% complete.', 'The draft is half finished.'],
  ['Emoji test 🚀 launched on time. Crowds cheered 🎉.', 'The rocket launched on time and crowds cheered.'],
  ['THE COMPANY SAID PROFITS ROSE. INVESTORS CHEERED.', 'The company said profits rose and investors cheered.'],
  ['e.g. the U.S.A. and the U.S.S.R. were rivals. i.e. enemies.', 'The USA and USSR were rivals.'],
  ['He paid $2.4 billion. That is 2,400 million dollars.', 'He paid 2.4bn dollars.'],
  [
    'It happened at 10:30 a.m. Tuesday. Police arrived at 10:45 a.m. Witnesses were interviewed.',
    'Police arrived 15 minutes after the incident.',
  ],
];

/** Texts aimed at particular Punkt decisions (realignment, collocations, initials, numbers, starters). */
const PUNKT_TEXTS = [
  'Mr. Brown met Dr. Green at 5 p.m. They talked.',
  'The meeting ended at 5 p.m. The next one is Friday.',
  'The meeting ended at 5 p.m. the next day.',
  'He works for Acme Inc. The firm is small.',
  'He works for Acme Inc. and likes it.',
  'The U.S. Congress voted. It passed.',
  'Born in the U.S. He moved to Spain.',
  'J. R. R. Tolkien wrote it.',
  'It was written by J. Smith. Smith was 40.',
  'George W. Bush spoke. He smiled.',
  'Chapter 3. The Return',
  'See page 12. It explains everything.',
  'In 1990. the law changed.',
  'The score was 2. Then 3. Then 4.',
  'It costs 3.50. That is cheap.',
  'Item No. 5 is missing.',
  '(He left.) She stayed.',
  '"He left." She stayed.',
  '"He left," she said. "I stayed."',
  'She said "Stop!" He stopped.',
  'Really?! Yes.',
  'Why? Because.',
  'Wow!!! Amazing.',
  'Hmm... I wonder. Maybe not.',
  'Hmm... maybe not.',
  'Hmm. . . maybe not.',
  'The end.\n\nA new paragraph starts here.',
  'Line one.\nLine two.\nLine three',
  '   Leading and trailing spaces.   Second sentence.   ',
  'Tab\tseparated. Sentences\there.',
  'Non-breaking\u00a0space. Next\u00a0sentence.',
  'Ideographic\u3000space.\u3000Next.',
  'Line\u2028separator. Next.',
  'Unit\x1fseparator. Next.',
  'Next\x85line. Next.',
  'A.B.C. News reported it. Viewers agreed.',
  'The Jan. 6 committee met. Members spoke.',
  'It happened on Sept. 11. Everyone remembers.',
  'Prof. Ada Lin (MIT) spoke. Students listened.',
  'Gen. Lee surrendered. The war ended.',
  'The U.N. Secretary-General visited. He left.',
  'He is from Washington, D.C. She is from L.A.',
  'Costs rose 10.5%. Revenues fell.',
  'Pay $2.4 billion. Or else.',
  'Use e.g. tabs. Or spaces.',
  'The cat sat.The dog stood.',
  'He said hi.she said bye.',
  'End with abbreviation Corp.',
  'End with ellipsis...',
  'Quote at end: "Done."',
  'Brackets [like this.] And more.',
  'Braces {like this.} And more.',
  'Dash after.-- Then more.',
  '.Starting with a period. Then text.',
  '?',
  '. . .',
  'A. B. C. D.',
  'mid-Jan. Sales rose.',
  'ex-Gov. Smith spoke. Then left.',
  'It was 5 a.m. In the morning.',
  'The Rev. Martin spoke. Amen.',
  'In the U.S., prices rose. In the U.K., they fell.',
  'Sales rose 5% (from 3.2%). Profits followed.',
  "He said: \"It's 'fine'.\" We agreed.",
  'Visit St. Petersburg. It is lovely.',
  'Mt. Everest is tall. K2 is harder.',
  'Ms. Rivera won. Mr. Khan lost.',
  'Page 4. Section 2. Paragraph 1.',
  'Est. 1902. Family owned.',
  'He went to the store. . . and returned.',
  'The value is 0.5. The other is .75.',
  'Figures: 1,000. 2,000. 3,000.',
  'They lost -3.5 points. Then recovered.',
  'ÉCOLE closed. Élèves left.',
  'Ça va. Très bien.',
  'Örebro won. Malmö lost.',
  '𝐁old maths letters. Next one.',
];

// A tiny deterministic generator so the corpus never changes between runs.
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Cuts a text at a word boundary near `fraction` of its length, as a token limit would. */
function truncate(text, fraction) {
  const cut = text.lastIndexOf(' ', Math.floor(text.length * fraction));
  return cut > 0 ? text.slice(0, cut) : text;
}

/** The prediction/reference pairs, each with an invented generated-token count. */
export function fixturePairs() {
  const pairs = [];
  const next = random(20240601);
  STORIES.forEach((story, index) => {
    const reference = story.ref.join(' ');
    const alt = story.alt;
    const other = STORIES[(index + 7) % STORIES.length];
    const variants = [
      alt.slice(0, 3).join(' '),
      [story.ref[0], alt[1], story.ref[2] ?? alt[2]].join(' '),
      [...story.ref].reverse().join(' '),
      `  ${story.ref.join('\n')}\n`,
      `Here is a summary of the article:\n\n${alt.join(' ')}`,
      alt.map((s) => `- ${s}`).join('\n'),
      truncate(alt.join(' ') + ' ' + story.ref.join(' '), 0.55 + next() * 0.3),
      other.ref.join(' '),
    ];
    if (index % 5 === 0) variants.push(reference);
    if (index % 4 === 1) variants.push(alt.join('\n\n'));
    for (const prediction of variants) pairs.push({ prediction, reference });
  });
  for (const [prediction, reference] of SPECIAL_PAIRS) pairs.push({ prediction, reference });
  // Token counts stand in for what a tokenizer would report; only their sum and count matter.
  return pairs.map((pair, id) => ({
    id,
    ...pair,
    tokens: Math.round(pair.prediction.length / 4.2) + Math.floor(next() * 9),
  }));
}

// Pieces for machine-made texts that pile abbreviations, initials, numbers, marks and unusual
// whitespace against each other, where the candidate-overlap and next-token rules matter.
const STRESS_WORDS = [
  'the',
  'The',
  'he',
  'He',
  'said',
  'Sales',
  'sales',
  'However',
  'however',
  'Who',
  'who',
  'It',
  'Many',
  'Some',
  'Thus',
  'Under',
  'They',
  'Yesterday',
  'Business',
  'Smith',
  'Edelman',
  'Levine',
  'Aron',
  'Dividend',
  'Paris',
  'café',
  'Élan',
  'Inc.',
  'Corp.',
  'Co.',
  'Ltd.',
  'Dr.',
  'Mr.',
  'Mrs.',
  'Sen.',
  'Gov.',
  'Gen.',
  'St.',
  'No.',
  'Jan.',
  'Sept.',
  'U.S.',
  'U.K.',
  'a.m.',
  'p.m.',
  'etc.',
  'vs.',
  'e.g.',
  'J.',
  'B.',
  'R.',
  'A.',
  '5.',
  '12.',
  '1990.',
  '3.5',
  '1,000',
  '$2.4',
  '10.5%',
  'mid-Jan.',
  'ex-Gov.',
  'Sales.',
  'However.',
  'Who.',
  'Smith.',
  'Business.',
  'who?',
  'Many!',
];
const STRESS_MARKS = [
  '.',
  '.',
  '?',
  '!',
  '!!!',
  '...',
  '..',
  '. . .',
  ',',
  ';',
  ':',
  '--',
  '"',
  "'",
  '(',
  ')',
  '[',
  ']',
  '“',
  '”',
  '.)',
  '."',
  '?"',
  "!'",
];
const STRESS_SPACES = [
  ' ',
  ' ',
  ' ',
  ' ',
  '  ',
  '\n',
  '\n\n',
  '\t',
  '\u00a0',
  '\u2009',
  '\u3000',
  '\x85',
  '\x1c',
  '\u2028',
  '\r\n',
  '',
];

function stressTexts(count) {
  const next = random(77);
  const pick = (list) => list[Math.floor(next() * list.length)];
  return Array.from({ length: count }, () => {
    let text = '';
    const pieces = 2 + Math.floor(next() * 16);
    for (let i = 0; i < pieces; i++)
      text += (next() < 0.6 ? pick(STRESS_WORDS) : pick(STRESS_MARKS)) + (next() < 0.8 ? pick(STRESS_SPACES) : '');
    return text;
  });
}

/** Texts whose sentence splits the fixture records on their own (besides every text of the pairs). */
export function fixturePunktTexts() {
  return [...PUNKT_TEXTS, ...STORIES.flatMap((s) => [...s.ref, ...s.alt]), ...stressTexts(300)];
}

/** Subsets of the pairs whose aggregates are recorded too (more chances to catch a rounding slip). */
export function fixtureSubsets(count) {
  const all = Array.from({ length: count }, (_, i) => i);
  return [
    { name: 'all', indices: all, withTokens: false },
    { name: 'all-with-tokens', indices: all, withTokens: true },
    { name: 'first-50', indices: all.slice(0, 50), withTokens: true },
    { name: 'odd', indices: all.filter((i) => i % 2 === 1), withTokens: false },
    { name: 'every-third', indices: all.filter((i) => i % 3 === 0), withTokens: true },
    { name: 'single', indices: [5], withTokens: true },
    { name: 'last-37', indices: all.slice(-37), withTokens: false },
  ];
}

/** Texts for rouge_score's tokenizer on its own: case, digits, accents and the two odd lowercasings. */
export function fixtureTokenizerTexts() {
  return [
    'The Quick Brown Fox jumped over 2 lazy dogs.',
    'Café, naïve, São Paulo, Zürich, Ærøskøbing',
    'İstanbul and İzmir',
    'Temperature: 300 \u212a (kelvin sign), 20 \u212b (angstrom sign)',
    'e-mail, co-operate, U.S.A., 3.5%, $2.4bn, 1,000,000',
    "It's the firm's 10th year; they're 'happy'.",
    'under_score and CamelCase and snake-case',
    'ＦＵＬＬＷＩＤＴＨ letters and ①②③ digits',
    'emoji 🚀 split words',
    '\u00a0leading non-breaking space and trailing\u3000',
    'Running runners ran; generously generalised organisations.',
    'abc123def 42nd 1990s covid-19',
    '',
    '   ',
  ];
}

/** Words that walk every rule of the Porter stemmer (NLTK's extensions included). */
export function fixtureStemWords() {
  const stems = [
    '',
    'b',
    'tr',
    'y',
    'sy',
    'oat',
    'hop',
    'fil',
    'conf',
    'gener',
    'rel',
    'crit',
    'agre',
    'happ',
    'sens',
    'vis',
    'bay',
    'ow',
  ];
  const suffixes = [
    'ational',
    'tional',
    'enci',
    'anci',
    'izer',
    'bli',
    'alli',
    'entli',
    'eli',
    'ousli',
    'ization',
    'ation',
    'ator',
    'alism',
    'iveness',
    'fulness',
    'ousness',
    'aliti',
    'iviti',
    'biliti',
    'fulli',
    'logi',
    'icate',
    'ative',
    'alize',
    'iciti',
    'ical',
    'ful',
    'ness',
    'al',
    'ance',
    'ence',
    'er',
    'ic',
    'able',
    'ible',
    'ant',
    'ement',
    'ment',
    'ent',
    'sion',
    'tion',
    'ou',
    'ism',
    'ate',
    'iti',
    'ous',
    'ive',
    'ize',
    'e',
    'ell',
    'ies',
    'ied',
    'eed',
    'ed',
    'ing',
    'y',
    's',
    'sses',
    'ss',
    'ated',
    'bled',
    'izing',
    'hopping',
    'filing',
    'ying',
  ];
  const words = [];
  for (const stem of stems) for (const suffix of suffixes) if ((stem + suffix).length > 3) words.push(stem + suffix);
  words.push(
    'sky',
    'skies',
    'dying',
    'lying',
    'tying',
    'news',
    'innings',
    'inning',
    'outings',
    'outing',
    'cannings',
    'canning',
    'howe',
    'proceed',
    'exceed',
    'succeed',
    'ties',
    'died',
    'cries',
    'cried',
    'agreed',
    'feed',
    'bleed',
    'controll',
    'roll',
    'fall',
    'hoping',
    'hopping',
    'tanned',
    'falling',
    'hissing',
    'fizzed',
    'failing',
    'filing',
    'happy',
    'sky',
    'syzygy',
    'toy',
    'boyish',
    'yelling',
    'yyyy',
    'analogi',
    'archaeologi',
    'electriciti',
    'formaliti',
    'sensitiviti',
    '1990s',
    '2024',
    '10th',
    'covid19',
    'abc123',
    'mp3s',
    'y2ks',
  );
  return words;
}
