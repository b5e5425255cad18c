import { detectedDiplomaticEventSchema, relatedContextSchema } from '@diplowatch/contracts';
import { classifyArticle, type ArticleInput } from './classify-article';
import { loadDefaultWatch } from './load-watch';
import { toArticleClassifiedV1 } from './to-contract';

// The article the project started from (its opening, verbatim).
const seed: ArticleInput = {
  id: 'seed-001',
  title: 'Shoigu visits Indonesia and Malaysia',
  text:
    "Sergei Shoigu, Russia's Security Council Secretary, is visiting Indonesia and Malaysia from February 24-28 to discuss security and defense. " +
    "The visit highlights Russia's shift towards Asia post-Ukraine invasion. Indonesia's interest in joining BRICS and Malaysia's recent engagement " +
    'with Russia illustrates the growing diplomatic ties in the region, aimed at countering Western influence. Russian Security Council Secretary ' +
    'Sergei Shoigu has initiated a working visit to Indonesia and Malaysia from February 24 to February 28, focusing on discussions regarding ' +
    'security and defense issues, as reported by Russian news agencies.',
  publishedAt: '2025-02-24',
};

const article = (title: string, text = title, publishedAt: string | null = '2025-03-10'): ArticleInput => ({
  id: title.toLowerCase().replace(/\W+/g, '-').slice(0, 40),
  title,
  text,
  publishedAt,
});

describe('classifyArticle', () => {
  const watch = loadDefaultWatch();

  describe('when the seed article reports Shoigu visiting Indonesia and Malaysia', () => {
    const result = classifyArticle(seed, watch);
    const [event] = result.diplomaticEvents;

    it('judges it relevant and yields exactly one diplomatic event, a visit', () => {
      expect(result.relevant).toBe(true);
      expect(result.diplomaticEvents).toHaveLength(1);
      expect(event!.type).toBe('visit');
      expect(() => detectedDiplomaticEventSchema.parse(event)).not.toThrow();
    });

    it('names Russia, Indonesia and Malaysia as the parties', () => {
      expect(event!.countries).toEqual(expect.arrayContaining(['RUS', 'IDN', 'MYS']));
      expect(result.countries).toEqual(['IDN', 'MYS', 'RUS']);
    });

    it('names Sergei Shoigu with the office he held on that date', () => {
      const shoigu = event!.actors.find((a) => a.name === 'Sergei Shoigu');
      expect(shoigu).toMatchObject({ office: 'Security Council Secretary', country: 'RUS', role: 'actor' });
    });

    it('resolves "from February 24-28" against the publication date', () => {
      expect(event!.startDate).toBe('2025-02-24');
      expect(event!.endDate).toBe('2025-02-28');
    });

    it('files security and defence under topics, with defense_cooperation as a secondary type', () => {
      expect(event!.topics).toEqual(expect.arrayContaining(['security', 'defense', 'defense_cooperation']));
    });

    it("keeps Indonesia's BRICS interest as related context, not an event", () => {
      const bloc = result.context.find((c) => c.type === 'bloc_membership');
      expect(bloc?.countries).toEqual(['IDN']);
      result.context.forEach((c) => expect(() => relatedContextSchema.parse(c)).not.toThrow());
      expect(event!.context).toEqual(result.context);
    });

    it('does not read "Malaysia\'s recent engagement with Russia" as talks', () => {
      expect(result.eventTypes).not.toContain('meeting_talks');
    });

    it('reads "The visit highlights Russia\'s shift towards Asia" as part of the visit', () => {
      const anaphor = event!.evidence.find((e) => e.sentence.startsWith('The visit highlights'));
      expect(anaphor?.rules).toContain('trigger:economic_cooperation/economy.pivot-east:shift towards Asia');
      expect(event!.topics).toContain('economic_cooperation');
    });

    it('unions the types of the event, its topics and its context at article level', () => {
      expect(result.eventTypes).toEqual([
        'visit',
        'defense_cooperation',
        'bloc_membership',
        'economic_cooperation',
      ]);
    });

    it('reports calibrated probabilities beside the raw evidence scores', () => {
      const table = watch.data.calibration!;
      const bin = table.relevance.bins.find(
        (b) => result.scores.relevance >= b.from && result.scores.relevance < b.to,
      );
      expect(result.relevance).toBe(bin!.p);
      expect(result.scores.events).toHaveLength(1);
      expect(event!.confidence).toBeGreaterThan(0.5);
      expect(event!.confidence).toBeLessThan(1);
    });

    it('gives sentence-level evidence with the rules that fired', () => {
      const lead = event!.evidence.find((e) => e.sentence.includes('February 24-28'));
      expect(lead?.rules).toEqual(
        expect.arrayContaining([
          'official:Sergei Shoigu(RUS)',
          'trigger:visit/visit.trip:visiting',
          'date:2025-02-24..2025-02-28',
        ]),
      );
    });

    it('is deterministic, and maps onto the ArticleClassified contract', () => {
      expect(classifyArticle(seed, watch)).toEqual(result);
      const payload = toArticleClassifiedV1(result, 'sha256:abc');
      expect(payload.diplomaticEventIds).toEqual([event!.diplomaticEventId]);
      expect(payload.reasons).toEqual([]);
    });
  });

  describe('when another outlet reports the same visit', () => {
    it('derives the same diplomatic event id (merge key)', () => {
      const other = classifyArticle(
        article(
          'Russian security chief Shoigu arrives in Jakarta',
          'Sergei Shoigu began a visit to Indonesia and Malaysia on February 24, the Kremlin said. He will hold talks in Kuala Lumpur later in the week.',
          '2025-02-25',
        ),
        watch,
      );
      const seedEvent = classifyArticle(seed, watch).diplomaticEvents[0]!;
      expect(other.diplomaticEvents[0]?.type).toBe('visit');
      expect(other.diplomaticEvents[0]?.countries).toEqual(seedEvent.countries);
      expect(other.diplomaticEvents[0]?.diplomaticEventId).toBe(seedEvent.diplomaticEventId);
    });
  });

  describe('when a Southeast Asian state moves towards BRICS without a Russian actor', () => {
    it('tags bloc_membership for that state only', () => {
      const result = classifyArticle(
        article(
          'Vietnam applies to join BRICS as a partner country',
          'Hanoi has submitted its application, the foreign ministry said.',
        ),
        watch,
      );
      expect(result.relevant).toBe(true);
      expect(result.eventTypes).toContain('bloc_membership');
      expect(result.countries).toEqual(['VNM']);
    });
  });

  describe('when the Russian leader meets a Southeast Asian leader', () => {
    it('tags meeting_talks with both officials, offices resolved at the date', () => {
      const result = classifyArticle(
        article(
          'Putin holds talks with Prabowo in the Kremlin',
          'Indonesian President Prabowo Subianto met Vladimir Putin in Moscow on Thursday to discuss energy and defence cooperation.',
          '2025-06-20',
        ),
        watch,
      );
      expect(result.relevant).toBe(true);
      expect(result.eventTypes).toEqual(expect.arrayContaining(['meeting_talks']));
      expect(result.countries).toEqual(['IDN', 'RUS']);
      const prabowo = result.diplomaticEvents[0]!.actors.find((a) => a.name === 'Prabowo Subianto');
      expect(prabowo?.office).toBe('President');
    });
  });

  describe.each([
    [
      'an MH17 anniversary',
      'MH17 families mark anniversary as Malaysia Airlines victims remembered',
      'Relatives gathered in Kuala Lumpur; Russia denies involvement.',
    ],
    [
      'a Russian tourist in Thailand',
      'Russian tourist arrested after bar fight in Phuket',
      'Thai police detained the Russian man on Saturday.',
    ],
    [
      'a US–Russia meeting at an ASEAN venue',
      'Rubio meets Lavrov on sidelines of ASEAN meeting in Kuala Lumpur',
      'The two discussed Ukraine.',
    ],
    [
      'a G20 attendance story',
      'Putin will skip the G20 summit in Bali, Indonesian officials say',
      'Lavrov will lead the Russian delegation.',
    ],
    [
      'Russia with another country',
      'Putin hails ties with India as Modi visits Moscow',
      'The leaders signed several agreements.',
    ],
    [
      'Southeast Asia with another country',
      'Malaysia and China sign trade deals during Xi visit',
      'Anwar Ibrahim welcomed the Chinese leader in Putrajaya.',
    ],
    [
      'third-country sanctions mentioning Russian arms',
      'US sanctions Myanmar generals over purchases of Russian-made jets',
      'The Treasury named two companies.',
    ],
    [
      'BRICS news without a Southeast Asian actor',
      'BRICS leaders back new payment system at Kazan summit',
      'Putin hosted the leaders of Brazil, India, China and South Africa.',
    ],
    [
      'a remark made in Hanoi about North Korea',
      'Putin says Russia could arm North Korea',
      'The Russian president spoke to reporters in Hanoi.',
    ],
  ])('when the item is %s', (_name, title, text) => {
    it('is not relevant and yields no diplomatic event', () => {
      const result = classifyArticle(article(title, text), watch);
      expect(result.relevant).toBe(false);
      expect(result.diplomaticEvents).toEqual([]);
      expect(result.reasons.length).toBeGreaterThan(0);
    });
  });

  describe('when a photo caption is the only place the two sides meet', () => {
    it('ignores the caption', () => {
      const result = classifyArticle(
        article(
          'Chinese defence minister meets Russian navy chief',
          'Vladimir Putin meets Prime Minister Anwar Ibrahim in Vladivostok. (Photo: Reuters)\nThe two commanders discussed joint patrols.',
        ),
        watch,
      );
      expect(result.relevant).toBe(false);
    });
  });

  describe('when an official merely attributes a reported act ("…, the ministry said")', () => {
    it('tags the act, not a statement', () => {
      const result = classifyArticle(
        article(
          'Russia and Laos hold joint military exercise',
          'Russian and Lao troops began joint drills in Laos on Monday, the Russian Defence Ministry said.',
        ),
        watch,
      );
      expect(result.eventTypes).toEqual(['military_exercise']);
    });
  });

  describe('when an official speaks about the relationship', () => {
    it('tags a statement', () => {
      const result = classifyArticle(
        article(
          'Malaysia will keep trading with Russia, Anwar says',
          'Prime Minister Anwar Ibrahim said Malaysia would maintain trade ties with Moscow.',
        ),
        watch,
      );
      expect(result.eventTypes).toEqual(expect.arrayContaining(['statement', 'economic_cooperation']));
    });
  });

  describe('when military equipment is named without a sale or delivery', () => {
    it('does not tag arms trade', () => {
      const without = classifyArticle(
        article(
          'Russian submarine sails near Vietnam coast, Hanoi officials say',
          'Vietnamese officials said the Russian submarine sailed past Cam Ranh.',
        ),
        watch,
      );
      const withSale = classifyArticle(
        article(
          'Russia delivers helicopters to Myanmar',
          'Russia has delivered two Mi-35 helicopters to Myanmar, a junta spokesman said.',
        ),
        watch,
      );
      expect(without.eventTypes).not.toContain('arms_trade');
      expect(withSale.eventTypes).toContain('arms_trade');
    });
  });

  describe('when the lead is about a third state and recalls Russia in a subordinate clause', () => {
    it('is not relevant', () => {
      const result = classifyArticle(
        article(
          'Indonesia signs deal for 42 Rafale fighter jets',
          'Indonesia signed a contract to buy 42 Rafale jets from France on Thursday, the defence minister said, after plans to buy Russian Su-35s were shelved.',
        ),
        watch,
      );
      expect(result.relevant).toBe(false);
    });
  });

  describe('when a Russian minister only attends a multilateral meeting held in the region', () => {
    it('is not relevant: the capital is the venue, not a party', () => {
      const result = classifyArticle(
        article(
          'Lavrov to attend East Asia Summit in Vientiane',
          "Sergei Lavrov will take part in the East Asia Summit foreign ministers' meeting in Vientiane next week.",
        ),
        watch,
      );
      expect(result.relevant).toBe(false);
    });
  });

  describe("when talks take place in one side's capital with an official of the other side", () => {
    it('tags the talks, and the visit they imply as a secondary type', () => {
      const result = classifyArticle(
        article(
          'Indonesian foreign minister Sugiono meets Lavrov in Moscow',
          'Indonesian Foreign Minister Sugiono held talks with Sergei Lavrov in Moscow on Tuesday.',
          '2025-04-15',
        ),
        watch,
      );
      const [talks] = result.diplomaticEvents;
      expect(talks?.type).toBe('meeting_talks');
      expect(talks?.topics).toContain('visit');
      expect(result.eventTypes).toEqual(expect.arrayContaining(['visit', 'meeting_talks']));
    });

    it('does not take a resident ambassador for a visitor', () => {
      const result = classifyArticle(
        article(
          'Malaysian minister meets Russian ambassador in Putrajaya',
          'Foreign Minister Mohamad Hasan met Russian Ambassador Naiyl Latypov in Putrajaya on Monday.',
          '2024-10-01',
        ),
        watch,
      );
      expect(result.eventTypes).toContain('meeting_talks');
      expect(result.eventTypes).not.toContain('visit');
    });
  });

  describe('when the follow-up sentence refers to the act ("The two sides…")', () => {
    it('reads what it adds as part of the act', () => {
      const result = classifyArticle(
        article(
          'Putin and Prabowo sign strategic partnership declaration',
          'Vladimir Putin and Prabowo Subianto signed a declaration on strategic partnership on Thursday. The leaders also agreed to expand cooperation in energy and defence.',
          '2025-06-20',
        ),
        watch,
      );
      expect(result.diplomaticEvents).toHaveLength(1);
      expect(result.eventTypes).toEqual(
        expect.arrayContaining(['agreement', 'economic_cooperation', 'defense_cooperation']),
      );
    });
  });

  describe('when Russian trade figures name Southeast Asian buyers but no state acts', () => {
    it('is not relevant', () => {
      const result = classifyArticle(
        article(
          "Russia's grain exports to Southeast Asia rise",
          'Russian wheat shipments to Indonesia and Vietnam rose 30 percent in the first half, according to traders.',
        ),
        watch,
      );
      expect(result.relevant).toBe(false);
    });
  });

  describe('when the body recalls earlier acts beside the reported one', () => {
    // Invented sentences: the rules must hold for articles never seen.
    const withBackground = (extra: string): ArticleInput => ({ ...seed, text: `${seed.text} ${extra}` });

    it('tags a forum appearance recalled with its month as dated context, not as the visit', () => {
      const result = classifyArticle(
        withBackground(
          'In September, Anwar Ibrahim appeared alongside Vladimir Putin at the Eastern Economic Forum in Vladivostok.',
        ),
        watch,
      );
      const [event] = result.diplomaticEvents;
      expect(result.diplomaticEvents).toHaveLength(1);
      expect(event).toMatchObject({ type: 'visit', startDate: '2025-02-24', endDate: '2025-02-28' });
      expect(event!.evidence.some((e) => e.sentence.startsWith('In September'))).toBe(false);
      const forum = result.context.find((c) => c.description.startsWith('In September'));
      expect(forum).toMatchObject({
        countries: ['MYS', 'RUS'],
        actors: ['Anwar Ibrahim', 'Vladimir Putin'],
        date: '2024-09-01',
      });
      expect(forum!.evidence[0]!.rules).toContain('date:2024-09-01..2024-09-30');
      expect(result.context.find((c) => c.type === 'bloc_membership')?.countries).toEqual(['IDN']);
      expect(result.actors).toEqual(
        expect.arrayContaining(['Sergei Shoigu', 'Vladimir Putin', 'Anwar Ibrahim']),
      );
      result.context.forEach((c) => expect(() => relatedContextSchema.parse(c)).not.toThrow());
    });

    it('reads an untriggered earlier trip ("appeared with Putin at a forum in Russia last year") as a visit', () => {
      const result = classifyArticle(
        withBackground(
          'Last year the Malaysian leader Anwar Ibrahim appeared with Putin at a forum in Russia.',
        ),
        watch,
      );
      const trip = result.context.find((c) => c.description.startsWith('Last year'));
      expect(trip).toMatchObject({ type: 'visit', countries: ['MYS', 'RUS'], date: '2024-01-01' });
      expect(trip!.evidence[0]!.rules).toEqual(
        expect.arrayContaining(['recalled:Last year', 'recalled-act:visit']),
      );
    });

    it('keeps an earlier act of the same kind apart from the one reported (pluperfect, a year)', () => {
      const result = classifyArticle(
        article(
          'Vietnamese defence minister visits Moscow',
          'General Phan Van Giang arrived in Moscow on Monday for talks with Defence Minister Andrei Belousov. ' +
            'Phan Van Giang had visited Russia in 2023, when he met Sergei Shoigu.',
          '2025-03-12',
        ),
        watch,
      );
      const [event] = result.diplomaticEvents;
      expect(event).toMatchObject({ type: 'visit', startDate: '2025-03-10' });
      expect(event!.evidence.map((e) => e.sentence)).not.toContain(
        'Phan Van Giang had visited Russia in 2023, when he met Sergei Shoigu.',
      );
      expect(result.context).toEqual([
        expect.objectContaining({ type: 'visit', countries: ['RUS', 'VNM'], date: '2023-01-01' }),
      ]);
    });

    it('reads a recalled act deep in the body as context but leaves it out of the article types', () => {
      const filler = Array.from({ length: 6 }, (_, i) => `Analysts expect more contacts in point ${i + 1}.`);
      const result = classifyArticle(
        withBackground(
          [
            ...filler,
            'Two years ago, Russia and Indonesia held their first naval exercise in the Java Sea.',
          ].join(' '),
        ),
        watch,
      );
      expect(result.context.find((c) => c.type === 'military_exercise')).toMatchObject({
        countries: ['IDN', 'RUS'],
      });
      expect(result.eventTypes).not.toContain('military_exercise');
    });

    it('still reads a sentence that tells the act again (no earlier date, no marker) as evidence', () => {
      const again =
        'During the visit Shoigu will travel to Kuala Lumpur on February 27 for talks on defence.';
      const result = classifyArticle(withBackground(again), watch);
      expect(result.context.map((c) => c.description)).not.toContain(again);
      expect(result.diplomaticEvents[0]!.evidence.map((e) => e.sentence)).toContain(again);
    });
  });

  describe('when an official signs an opinion piece (a byline line with only the name)', () => {
    it('makes the signatory an actor of the statement, and ignores a byline that is no official', () => {
      const text =
        'Andrei Belousov\nRussia and Vietnam reaffirmed their commitment to strengthening ties, ' +
        'and Moscow will keep working with Hanoi as a trusted partner.';
      const signed = classifyArticle(article('Russia and Vietnam: partners we can trust', text), watch);
      expect(signed.diplomaticEvents[0]?.type).toBe('statement');
      expect(signed.actors).toContain('Andrei Belousov');
      const unsigned = classifyArticle(
        article('Russia and Vietnam: partners we can trust', text.replace('Andrei Belousov', 'Jane Smith')),
        watch,
      );
      expect(unsigned.actors).not.toContain('Andrei Belousov');
    });
  });
});
