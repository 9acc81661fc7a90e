"""Texts for the tokenizer golden file, all written for this project.

Each entry is (name, text). The names say what a text exercises, so a failing golden case
points at the feature that broke. Escapes are spelled out so whitespace stays visible.
"""

MLPERF_TEMPLATE = (
    "Summarize the following news article in 128 tokens. Please output the summary only, "
    "without any other text.\n\nArticle:\n{input}\n\nSummary:"
)

SHORT_ARTICLE = (
    "OSLO (Nordwire) - A ferry operator on Norway's western coast said on Tuesday it would "
    "switch its three oldest vessels to battery power by 2027, a move it expects to cut "
    "annual diesel use by roughly 4.2 million litres.\n"
    "The company, which carries about 1,850,000 passengers a year, said charging stations "
    "would be built at both ends of its busiest route. \"We've tested this for two winters "
    "and it works,\" chief executive Ingrid Solheim told reporters. Shares rose 3.1% in "
    "early trading."
)

LONG_ARTICLE = """BRAMLEY HARBOUR, March 14 (Coastline Daily) - The town council of Bramley Harbour voted 7-2 late on Wednesday to approve a desalination plant on the old cannery site, ending a dispute that has split the fishing community for more than three years and drawn protests from as far away as the state capital.

The plant, budgeted at $212.5 million, is designed to produce up to 48,000 cubic metres of drinking water a day once it reaches full output, enough for roughly 160,000 residents. Construction is scheduled to begin in September and to finish by the spring of 2028, although engineers warned that the timeline depends on a permit for a 1.3-kilometre intake pipe that still needs sign-off from the regional environment agency.

"We have run out of good options," said Mayor Teresa Okonkwo-Hale, who cast the deciding vote after the count was briefly tied. "Our reservoir was at 19 percent in January. If the rains fail again next winter, we'll be trucking water in, and that's not a plan, it's a prayer."

Opponents say the council moved too fast. The Bramley Harbour Fishermen's Association argues that brine discharged from the plant could harm the crab grounds a few hundred metres offshore, which supply most of the town's catch. Its chair, Donal McBride, said the group would ask a court to review the decision. "They've heard the engineers and they've heard the bankers," he said outside the council chamber, where about 250 people had gathered. "They haven't heard the sea."

The council's own environmental review, published in November, found that the salinity near the outfall would rise by no more than 2.5% above background levels within 100 metres of the diffuser, and by less than 0.4% beyond that. The review's authors, a consultancy based in the capital, recommended monitoring buoys at 12 points along the shore and an automatic shut-off if readings exceeded agreed limits for more than 6 hours.

Those safeguards were written into the approval, along with a requirement that the operator publish its readings online every 24 hours. Councillor Priya Raman, who voted in favour, said the conditions were "among the strictest anywhere in the country" and that the council could revoke the operating licence if they were broken. "Nobody gets a blank cheque," she said.

Water bills are expected to rise. Under the financing plan, a typical household using 150 litres per person per day would pay about $9.40 more each month from 2028, an increase of around 14%. The council has promised a hardship fund of $1.2 million a year for low-income families, paid for in part by a levy on the two largest hotels, which together account for almost a fifth of summer demand.

Local businesses were divided. The owner of a seafront cafe, who asked not to be named, said her customers cared more about the taps running than about the view of the cannery site. A boat-builder on Quay Street said he feared the noise of construction would drive away the tourists who buy his day trips. "Three summers of pile-driving," he said. "Who books a quiet holiday next to that?"

The vote follows the driest two-year period since records began in 1891, according to the national weather service. Rainfall across the catchment was 41% below the long-term average in 2024 and 37% below it in 2025. Two smaller towns further up the coast have already imposed limits on garden watering and car washing, and one has begun buying water from a private supplier at more than three times its usual cost.

Desalination has become more common along the coast in the past decade as the cost of the membranes used in reverse osmosis has fallen. The process still uses a large amount of electricity, however, and the plant's designers say roughly 60% of its power will come from a new solar farm on farmland north of the town, with the rest bought from the grid. Critics point out that the solar farm has not yet been approved either.

State officials welcomed the decision. A spokesperson for the water ministry said the government would contribute $45 million through its drought resilience programme, on condition that the plant also supplies two neighbouring districts during emergencies. The remainder will be raised through a 30-year bond, which the council's treasurer said had drawn "strong interest" from pension funds.

Not everyone at the meeting was thinking about money. Ellie Thornbury, 11, who had come with her grandfather, held up a hand-painted sign that read SAVE THE CRABS on one side and SAVE THE WATER on the other. Asked which side she agreed with, she turned the sign around twice and said she had not decided yet.

Work on the intake pipe permit is expected to take at least four months. The fishermen's association said it would file its request for a review within 28 days, the deadline set by law. Until a judge rules, the council said, preparatory work on the site would be limited to clearing the derelict cannery buildings, which were declared unsafe in 2019 and have stood empty since the last processing line closed more than a decade ago.

For now, residents are being asked to keep their use below 120 litres a day. The council's latest figures show the town averaged 131 litres last week, down from 164 litres a year earlier, but still above the target. Officials plan to publish a daily figure on a board outside the town hall, next to the harbour clock, starting on Monday.
"""

CORPUS = [
    # --- plain prose ---
    ("prose-simple", "The quick brown fox jumps over the lazy dog."),
    ("prose-sentences", "It was late. The lamps along the canal came on one by one, and nobody noticed."),
    ("prose-capitals", "HELLO WORLD, this Is A MiXeD cAsE Sentence With CamelCaseWords and snake_case_words."),
    ("single-letter", "a"),
    ("single-space", " "),
    ("empty", ""),
    ("prose-multiline", "First line.\nSecond line.\n\nFourth line after a blank one.\n"),
    ("prose-hyphenated", "A well-known, long-standing, state-of-the-art approach -- or so they said."),
    # --- numbers ---
    ("digits-1-to-9", "1 12 123 1234 12345 123456 1234567 12345678 123456789"),
    ("digits-long-run", "31415926535897932384626433832795028841971"),
    ("decimals", "3.14 0.5 .75 100.001 2.718281828 -0.0001 +7.5e-3"),
    ("thousands", "1,000 25,000 1,234,567 12,345.67 1.234.567,89 1 000 000 1'000'000"),
    ("dates-times", "2024-03-14T09:26:53Z, 14/03/2024 09:26, 09:26:53.589 on 3 Mar '24"),
    ("money-percent", "$9.40 EUR 1,200 ~5% 12.5% -3% 1/2 3/4 100x"),
    ("number-letters", "abc123def 4G LTE 5th 21st 1990s H2O CO2 v1.2.3-rc4"),
    ("non-ascii-digits", "\u0663\u0664\u0665 \u0967\u0968\u0969 \uff11\uff12\uff13\uff14 \u00b2\u00b3 \u2163 \u00bd"),
    # --- whitespace ---
    ("spaces-runs", "one  two   three    four     five"),
    ("spaces-leading", "   leading spaces"),
    ("spaces-trailing", "trailing spaces   "),
    ("only-spaces", "      "),
    ("only-whitespace-mixed", " \t \n \r\n  \t\t "),
    ("tabs", "col1\tcol2\t\tcol3\t"),
    ("crlf", "line one\r\nline two\r\n\r\nline four\r\n"),
    ("newline-runs", "a\n\n\nb\n\n\n\n\nc"),
    ("spaces-before-newline", "end of line   \n   start of next"),
    ("indent-code", "def f(x):\n    if x:\n        return 1\n    return 0\n"),
    ("unicode-spaces", "no\u00a0break em\u2003space thin\u2009space ideo\u3000space nel\u0085x"),
    ("unicode-space-runs", "a\u00a0\u00a0\u00a0b \u2028\u2029 c\u202f\u205fd"),
    ("bom-and-zero-width", "\ufeffstarts with BOM, zero\u200bwidth, joiner\u200dhere, mongolian\u180esep"),
    ("space-before-nel-bom", "a \u0085b  \u0085\u0085, x \ufeffy  \ufeff\ufeff! \u0085"),
    ("vertical-tab-formfeed", "page one\x0cpage two\x0bvertical"),
    # --- contractions ---
    ("contractions-lower", "it's they're we've I'm you'll he'd don't"),
    ("contractions-upper", "IT'S THEY'RE WE'VE I'M YOU'LL HE'D DON'T"),
    ("contractions-mixed", "It'S tHey'Re We'vE i'M yOU'Ll He'D Don'T 'S 'LL 'll 's"),
    ("contractions-edge", "rock'n'roll o'clock 'quoted' '' ''' 'tis ol' y'all's"),
    ("contraction-long-s", "the king'\u017f men, the queen'\u017ft crown, 'ſ"),
    ("curly-apostrophe", "it\u2019s they\u2019re \u2018quoted\u2019 \u201cdouble\u201d"),
    # --- punctuation ---
    ("punctuation-clusters", "Wait... what?!? No way!!! (really?) [yes] {ok} <fine> --- ***"),
    ("punctuation-spaced", " , . ; : ! ? ( ) [ ] { } \" ' ` ~ @ # $ % ^ & * - _ = + | \\ / < >"),
    ("punctuation-newlines", "end.\n\n...\r\n!?\n;;\n"),
    ("ascii-art", "+--------+\n| box    |\n+--------+\n  \\o/\n   |\n  / \\"),
    ("markdown", "# Title\n\n## Sub-title\n\n- item **bold** and _italic_\n- `code`\n\n> quote\n\n1. one\n2. two"),
    ("brackets-nested", "f(g(h(x)))[[1,2],[3,4]]{{a:{b:{c:1}}}}"),
    # --- urls and code ---
    ("url", "See https://example.com/path/to/page?query=1&lang=en#section-2 for details."),
    ("email-path", "mail me at first.last+tag@example.org or look in C:\\Users\\me\\file.txt or /usr/local/bin"),
    ("code-js", "const add = (a, b) => a + b;\nconsole.log(add(2, 3)); // 5\nif (x !== null && y >= 0) { return; }"),
    ("code-python", "for i in range(10):\n\tprint(f\"{i:03d}\", end='')\n# done\n"),
    ("code-json", "{\"id\": 42, \"tags\": [\"a\", \"b\"], \"ok\": true, \"ratio\": 0.25}"),
    ("code-shell", "ls -la | grep '.ts$' && echo \"$HOME\" > /tmp/out.txt 2>&1"),
    ("html", "<div class=\"note\"><p>Hello&nbsp;there</p><br/></div>"),
    ("hex-base64", "0xDEADBEEF 0b1011 #ff8800 SGVsbG8gV29ybGQ= sha256:9f86d081884c7d65"),
    # --- scripts ---
    ("cjk-chinese", "\u4eca\u5929\u5929\u6c14\u5f88\u597d\uff0c\u6211\u4eec\u53bb\u516c\u56ed\u6563\u6b65\u5427\u3002"),
    ("cjk-japanese", "\u6771\u4eac\u3067\u30e9\u30fc\u30e1\u30f3\u3092\u98df\u3079\u307e\u3057\u305f\u3002\u304a\u3044\u3057\u304b\u3063\u305f\u3067\u3059\uff01"),
    ("cjk-korean", "\uc548\ub155\ud558\uc138\uc694. \uc624\ub298\uc740 \ub0a0\uc528\uac00 \uc88b\ub124\uc694."),
    ("cjk-long-run", "\u4eba\u5de5\u667a\u80fd\u662f\u8ba1\u7b97\u673a\u79d1\u5b66\u7684\u4e00\u4e2a\u5206\u652f" * 6),
    ("arabic", "\u0645\u0631\u062d\u0628\u0627 \u0628\u0643\u0645 \u0641\u064a \u0627\u0644\u0645\u062f\u064a\u0646\u0629\u060c \u0643\u064a\u0641 \u062d\u0627\u0644\u0643\u0645\u061f"),
    ("cyrillic", "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440! \u042d\u0442\u043e \u0442\u0435\u0441\u0442\u043e\u0432\u043e\u0435 \u043f\u0440\u0435\u0434\u043b\u043e\u0436\u0435\u043d\u0438\u0435."),
    ("devanagari", "\u0928\u092e\u0938\u094d\u0924\u0947, \u0906\u092a \u0915\u0948\u0938\u0947 \u0939\u0948\u0902? \u092f\u0939 \u090f\u0915 \u092a\u0930\u0940\u0915\u094d\u0937\u0923 \u0939\u0948\u0964"),
    ("greek", "\u039a\u03b1\u03bb\u03b7\u03bc\u03ad\u03c1\u03b1 \u03ba\u03cc\u03c3\u03bc\u03b5! \u0391\u03c5\u03c4\u03cc \u03b5\u03af\u03bd\u03b1\u03b9 \u03bc\u03b9\u03b1 \u03b4\u03bf\u03ba\u03b9\u03bc\u03ae."),
    ("hebrew", "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd, \u05d6\u05d4\u05d5 \u05de\u05d1\u05d7\u05df."),
    ("thai", "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a \u0e27\u0e31\u0e19\u0e19\u0e35\u0e49\u0e2d\u0e32\u0e01\u0e32\u0e28\u0e14\u0e35\u0e21\u0e32\u0e01"),
    ("latin-diacritics", "na\u00efve caf\u00e9 r\u00e9sum\u00e9 Stra\u00dfe \u00c5ngstr\u00f6m \u0141\u00f3d\u017a \u0218tefan \u00e7a va? Stra\u00dfe"),
    ("combining-marks", "e\u0301 a\u0308 n\u0303 o\u0302\u0323 Z\u0351\u0356\u036b\u0353a\u0341l\u0308g\u0358o"),
    ("mixed-scripts", "English, \u0420\u0443\u0441\u0441\u043a\u0438\u0439, \u4e2d\u6587, \u0627\u0644\u0639\u0631\u0628\u064a\u0629, \u0939\u093f\u0928\u094d\u0926\u0940 and \u03b5\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac in one line."),
    ("math-symbols", "\u2200x \u2208 \u211d: x\u00b2 \u2265 0 \u21d2 \u221a(x\u00b2) = |x| \u2248 \u03c0 \u00b1 \u221e \u2211\u222b\u2202"),
    ("unicode17-letters", "new letters a\U000323b0b \U000323b1\U000323b2, digits \U00011de0\U00011de1\U00011de2 and \u088f\ua7ce"),
    ("astral-letters", "\U0001d400\U0001d401\U0001d402 \U00010330\U00010331 \U00020000\U0002a6d6 \U0001f100"),
    # --- emoji ---
    ("emoji-simple", "I love pizza \U0001f355 and coffee \u2615 \U0001f600\U0001f602\U0001f60d"),
    ("emoji-zwj", "family \U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 and \U0001f469\u200d\U0001f4bb at work, \U0001f3f3\ufe0f\u200d\U0001f308"),
    ("emoji-skin-tones", "\U0001f44d\U0001f3fb \U0001f44d\U0001f3fc \U0001f44d\U0001f3fd \U0001f44d\U0001f3fe \U0001f44d\U0001f3ff \U0001f9d1\U0001f3fd\u200d\U0001f680"),
    ("emoji-flags", "\U0001f1fa\U0001f1f8 \U0001f1ef\U0001f1f5 \U0001f1e9\U0001f1ea \U0001f1ee\U0001f1f3 \U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"),
    ("emoji-keycaps-variation", "1\ufe0f\u20e3 #\ufe0f\u20e3 \u2764\ufe0f \u2764 \u263a\ufe0f"),
    ("emoji-run", "\U0001f525" * 12 + "!!!"),
    # --- special tokens in text ---
    ("special-bot-in-text", "<|begin_of_text|>Hello"),
    ("special-chat", "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n4<|eot_id|>"),
    ("special-llama31-names", "call<|python_tag|>print(1)<|eom_id|> pad<|finetune_right_pad_id|>"),
    ("special-old-names-are-text", "<|reserved_special_token_2|> <|reserved_special_token_4|> <|reserved_special_token_5|>"),
    ("special-reserved", "x<|reserved_special_token_0|>y<|reserved_special_token_250|>z<|reserved_special_token_247|>"),
    ("special-adjacent", "<|eot_id|><|eot_id|><|end_of_text|>"),
    ("special-near-misses", "<|eot_id| <eot_id|> <|EOT_ID|> < |eot_id|> <|eot_id|>> <<|eot_id|>"),
    ("special-spaces-around", "  <|eot_id|>  text  <|end_of_text|>\n"),
    ("special-inside-word", "abc<|eot_id|>def 12<|eot_id|>34 \U0001f600<|eot_id|>\U0001f600"),
    # --- task texts ---
    ("mlperf-prompt", MLPERF_TEMPLATE.format(input=SHORT_ARTICLE)),
    ("mlperf-template-empty", MLPERF_TEMPLATE.format(input="")),
    ("long-article", LONG_ARTICLE),
]
