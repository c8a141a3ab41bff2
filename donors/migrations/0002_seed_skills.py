"""Seed the skills taxonomy: the digital skills labor campaigns keep asking for.

The data lives here, not in app code, so this migration means the same thing forever.
Forwards is idempotent (update_or_create by slug). Backwards removes only seeded rows that
nothing uses: a skill some volunteer listed stays (DonorSkill.skill is PROTECT anyway, and
unmigrating must never destroy a volunteer's profile), and so does its category.
"""

from django.db import migrations

# (category slug, category name, [(skill slug, name, description, synonyms), ...])
TAXONOMY = [
    (
        "social-media",
        "Social media",
        [
            (
                "social-media-strategy",
                "Social media strategy",
                "Plan what a campaign posts, where and when, so the message reaches workers "
                "and the public.",
                "social strategy, content calendar, digital strategy, campaign planning",
            ),
            (
                "social-media-content",
                "Social media posts",
                "Write and schedule posts, threads and stories that people want to share.",
                "posting, content creation, copy for social, instagram, facebook, x, twitter, "
                "bluesky, threads",
            ),
            (
                "community-management",
                "Online community management",
                "Answer comments and messages, moderate groups and keep online spaces safe "
                "and friendly.",
                "moderation, facebook groups, whatsapp groups, discord, comment moderation",
            ),
            (
                "rapid-response-social",
                "Rapid response on social media",
                "Get the campaign's side out fast when news breaks, the boss posts, or a "
                "rumor spreads.",
                "rapid response, crisis communications, counter-messaging, trending",
            ),
            (
                "creator-outreach",
                "Creator and influencer outreach",
                "Find and ask creators and well-known supporters to share the fight with "
                "their audiences.",
                "influencers, creators, ambassadors, celebrity support, amplification",
            ),
        ],
    ),
    (
        "writing-media",
        "Writing and media",
        [
            (
                "web-writing",
                "Writing for the web",
                "Write clear, short pages, updates and calls to action that read well on "
                "a phone.",
                "copywriting, web copy, blog posts, content writing, plain language",
            ),
            (
                "press-releases",
                "Press releases",
                "Write press releases and media advisories that reporters can use right away.",
                "news release, media advisory, press statement, press kit",
            ),
            (
                "media-outreach",
                "Media outreach",
                "Pitch stories to reporters, keep a press list and prepare spokespeople for "
                "interviews.",
                "press relations, pr, public relations, pitching, earned media, journalists",
            ),
            (
                "worker-storytelling",
                "Worker storytelling",
                "Interview workers and turn their experiences into short stories, quotes and "
                "testimonials.",
                "storytelling, testimonials, interviews, narrative, profiles",
            ),
            (
                "opinion-writing",
                "Op-eds and letters to the editor",
                "Help workers and allies write opinion pieces and letters that newspapers "
                "will print.",
                "op-ed, opinion piece, letter to the editor, commentary",
            ),
            (
                "editing-proofreading",
                "Editing and proofreading",
                "Check texts for mistakes and make them shorter, clearer and easier to read.",
                "copy editing, copyediting, proofreading, plain language editing",
            ),
        ],
    ),
    (
        "design-print",
        "Design and print",
        [
            (
                "graphic-design",
                "Graphic design",
                "Design images, layouts and visual identities that make a campaign look "
                "strong and united.",
                "design, visual design, canva, adobe illustrator, photoshop, figma, inkscape",
            ),
            (
                "flyers-print",
                "Flyers and print materials",
                "Lay out flyers, leaflets, posters and newsletters and get them ready for "
                "the printer.",
                "leaflets, posters, handouts, print design, indesign, newsletter layout",
            ),
            (
                "social-graphics",
                "Graphics for social media",
                "Make shareable images, quote cards and templates sized for each platform.",
                "social graphics, memes, quote cards, shareables, canva templates",
            ),
            (
                "campaign-branding",
                "Logos and campaign branding",
                "Create a logo, colors and a simple style guide so every piece looks like "
                "the same campaign.",
                "logo design, branding, brand identity, style guide, visual identity",
            ),
            (
                "infographics",
                "Infographics and charts",
                "Turn numbers such as wages, profits or injury rates into charts people "
                "understand at a glance.",
                "data visualization, charts, dataviz, infographic",
            ),
            (
                "signs-banners",
                "Picket signs and banners",
                "Design signs, banners and T-shirts that read well from across the street.",
                "picket signs, banners, placards, t-shirts, merch, screen printing",
            ),
        ],
    ),
    (
        "photo-video",
        "Photo, video and livestreaming",
        [
            (
                "photography",
                "Photography",
                "Take good photos at rallies, picket lines and meetings, and keep people "
                "safe from being identified when needed.",
                "photos, photographer, event photography, photo editing, lightroom",
            ),
            (
                "video-shooting",
                "Shooting video",
                "Film interviews, actions and events with a phone or camera, with clear "
                "sound.",
                "filming, videography, camera work, videographer, b-roll",
            ),
            (
                "video-editing",
                "Video editing",
                "Cut footage into short videos with captions, music and titles.",
                "editing video, premiere, final cut, davinci resolve, capcut, post-production",
            ),
            (
                "short-form-video",
                "Short-form video",
                "Make quick vertical videos for TikTok, Reels and Shorts that people watch "
                "to the end.",
                "tiktok, reels, youtube shorts, vertical video",
            ),
            (
                "livestreaming",
                "Livestreaming",
                "Stream rallies, press conferences and meetings live, with a backup plan "
                "when the signal drops.",
                "live stream, streaming, facebook live, youtube live, obs, streamyard",
            ),
            (
                "audio-podcasts",
                "Audio and podcasts",
                "Record and edit audio for podcasts, radio spots and voice messages.",
                "podcast, audio editing, radio, voiceover, audacity",
            ),
        ],
    ),
    (
        "web",
        "Websites and web development",
        [
            (
                "web-development",
                "Web development",
                "Build and fix websites and small web tools with code.",
                "web developer, programming, coding, html, css, javascript, python, django",
            ),
            (
                "wordpress-cms",
                "Websites with WordPress or another CMS",
                "Set up and update a campaign site in WordPress, Squarespace, Wix or a "
                "similar builder.",
                "wordpress, cms, squarespace, wix, website builder, drupal",
            ),
            (
                "landing-pages",
                "Campaign landing pages",
                "Build one-page sites with a clear ask, such as sign, donate or come to the "
                "rally.",
                "landing page, microsite, one-pager, sign-up page",
            ),
            (
                "web-accessibility",
                "Web accessibility",
                "Make sure websites and documents work for people with disabilities and on "
                "any device.",
                "accessibility, a11y, wcag, screen readers, alt text",
            ),
            (
                "online-forms",
                "Online forms and surveys",
                "Create sign-up forms, surveys and pledge cards that are easy to fill in on "
                "a phone.",
                "google forms, jotform, typeform, surveys, bargaining survey, pledge cards",
            ),
        ],
    ),
    (
        "email-texting",
        "Email, petitions and texting",
        [
            (
                "email-blasts",
                "Email blasts",
                "Write, design and send mass emails that get opened and clicked.",
                "email marketing, newsletters, mailchimp, action network email, mass email",
            ),
            (
                "online-petitions",
                "Online petitions",
                "Set up petitions and letter-writing tools and follow up with the people "
                "who sign.",
                "petition, e-petition, action network, change.org, letter campaign, "
                "click-to-call",
            ),
            (
                "mass-texting",
                "Mass texting",
                "Run peer-to-peer and broadcast text campaigns that reach members fast.",
                "sms, text banking, peer to peer texting, p2p, hustle, spoke, broadcast text",
            ),
            (
                "online-fundraising",
                "Online fundraising and strike funds",
                "Set up donation pages and appeals that raise money for strike and hardship "
                "funds.",
                "crowdfunding, gofundme, donations, strike fund, hardship fund, actblue",
            ),
        ],
    ),
    (
        "ads-data",
        "Advertising, analytics and data",
        [
            (
                "online-advertising",
                "Online advertising",
                "Plan and run paid ads on social media and search that reach the right "
                "people on a small budget.",
                "paid ads, facebook ads, meta ads, google ads, digital ads, ad targeting",
            ),
            (
                "analytics",
                "Web and social analytics",
                "Measure what works online and explain the numbers in plain words.",
                "google analytics, metrics, insights, reporting, matomo, a/b testing",
            ),
            (
                "data-list-management",
                "Data and list management",
                "Keep member and supporter lists clean, merged, segmented and safe.",
                "lists, database, crm, action network, everyaction, airtable, deduplication",
            ),
            (
                "spreadsheets",
                "Spreadsheets",
                "Build shared spreadsheets that track contacts, shifts and pledges without "
                "breaking.",
                "excel, google sheets, formulas, pivot tables, tracking sheets",
            ),
            (
                "research-mapping",
                "Research and mapping",
                "Research employers online and map worksites, members and supporters.",
                "corporate research, strategic research, maps, gis, worksite mapping",
            ),
        ],
    ),
    (
        "training-security",
        "Training, meetings and security",
        [
            (
                "digital-tools-training",
                "Digital-tools training",
                "Teach organizers and members to use the tools a campaign relies on, "
                "patiently and without jargon.",
                "tech training, digital literacy, workshops, coaching, tutorials",
            ),
            (
                "online-meetings",
                "Online meetings",
                "Host and moderate video calls and hybrid meetings with breakout rooms, "
                "polls and interpretation.",
                "zoom, google meet, jitsi, teams, webinars, virtual meetings, hybrid meetings",
            ),
            (
                "digital-security",
                "Digital security for workers",
                "Help workers protect their phones, accounts and chats from bosses and "
                "surveillance.",
                "security, privacy, signal, encryption, two-factor, opsec, surveillance",
            ),
            (
                "collaboration-tools",
                "Collaboration tools",
                "Set up shared drives, chat groups and task boards so a campaign team stays "
                "organized.",
                "google drive, slack, trello, shared documents, project management",
            ),
        ],
    ),
    (
        "languages",
        "Translation and languages",
        [
            (
                "translation-spanish",
                "Spanish translation",
                "Translate campaign materials between English and Spanish so every worker "
                "can read them.",
                "spanish, español, traducción, translation english spanish",
            ),
            (
                "translation-other",
                "Translation into other languages",
                "Translate materials into other languages workers speak, such as Chinese, "
                "Vietnamese, Tagalog or Haitian Creole.",
                "translation, translator, chinese, vietnamese, tagalog, haitian creole, "
                "arabic, french, portuguese",
            ),
            (
                "interpretation",
                "Live interpretation",
                "Interpret meetings, calls and rallies live so everyone can take part.",
                "interpreting, interpreter, simultaneous interpretation, consecutive",
            ),
            (
                "subtitles-captions",
                "Subtitles and captions",
                "Add accurate captions and translated subtitles to videos.",
                "captions, subtitles, closed captions, transcription, srt",
            ),
        ],
    ),
]


def seeded_slugs():
    categories = [category_slug for category_slug, _name, _skills in TAXONOMY]
    skills = [skill[0] for _slug, _name, skills in TAXONOMY for skill in skills]
    return categories, skills


def seed_skills(apps, schema_editor):
    SkillCategory = apps.get_model("donors", "SkillCategory")
    Skill = apps.get_model("donors", "Skill")
    for category_position, (category_slug, category_name, skills) in enumerate(TAXONOMY):
        category, _ = SkillCategory.objects.update_or_create(
            slug=category_slug,
            defaults={"name": category_name, "position": category_position},
        )
        for position, (slug, name, description, synonyms) in enumerate(skills):
            Skill.objects.update_or_create(
                slug=slug,
                defaults={
                    "category": category,
                    "name": name,
                    "description": description,
                    "synonyms": synonyms,
                    "position": position,
                },
            )


def unseed_skills(apps, schema_editor):
    SkillCategory = apps.get_model("donors", "SkillCategory")
    Skill = apps.get_model("donors", "Skill")
    category_slugs, skill_slugs = seeded_slugs()
    Skill.objects.filter(slug__in=skill_slugs, donor_skills__isnull=True).delete()
    SkillCategory.objects.filter(slug__in=category_slugs, skills__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("donors", "0001_initial")]

    operations = [migrations.RunPython(seed_skills, unseed_skills)]
