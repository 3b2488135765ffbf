// The two demo sites, from the two seed policies: who they are, their pages, and the words of their
// page chrome in the site's language and in English. (Assent's own texts come from the config.)
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AssentConfig } from '../../src/core/config';

export type SiteId = 'blooom' | 'blokku';
export type PageId = 'home' | 'product' | 'video' | 'checkout' | 'consent-mode' | 'privacy-map';
export const PAGES: PageId[] = ['home', 'product', 'video', 'checkout', 'consent-mode', 'privacy-map'];

/** Where a policy's wording came from, and what the demo added: kept beside the config, keyed by id. */
export interface Notes {
  /** The policy the config was written from, named for the demo's visitors. */
  policy: string;
  purposes: Record<string, { policyBasis?: string; asConsent?: string; demo?: string }>;
  services: Record<string, 'demo' | 'policy'>;
}

interface Words {
  nav: Record<PageId, string>;
  tagline: string;
  cookieSettings: string;
  privacyPolicy: string;
  language: string;
  product: { name: string; text: string; price: string; add: string; added: string };
  video: { title: string; text: string };
  checkout: { title: string; name: string; email: string; address: string; pay: string; note: string };
  consentMode: { title: string; text: string };
  home: { title: string; text: string };
}

const EN: Words = {
  nav: {
    home: 'Home',
    product: 'Product',
    video: 'Video',
    checkout: 'Checkout',
    'consent-mode': 'Consent Mode',
    'privacy-map': 'Policy → config',
  },
  tagline: '',
  cookieSettings: 'Cookie settings',
  privacyPolicy: 'Privacy policy',
  language: 'Language',
  product: {
    name: '',
    text: '',
    price: '',
    add: 'Add to cart',
    added: 'Added to your cart.',
  },
  video: { title: 'Our video', text: 'The video below comes from YouTube and loads only with your consent.' },
  checkout: {
    title: 'Checkout',
    name: 'Full name',
    email: 'Email',
    address: 'Delivery address',
    pay: 'Pay (demo: nothing is sent)',
    note: 'Only the data needed for your order is used here: no tracker runs on this page unless you allowed it.',
  },
  consentMode: {
    title: 'Google Consent Mode',
    text: 'This page has a Google tag (gtag.js commands, without the network). The inspector shows the dataLayer: the consent default with all seven types comes first, then the stored update, then the tag’s config.',
  },
  home: { title: 'Welcome', text: '' },
};

export interface Site {
  id: SiteId;
  name: string;
  /** The site's own language; English is the other. */
  lang: 'fr' | 'bg';
  config: AssentConfig;
  notes: Notes;
  words: Record<'en' | 'fr' | 'bg', Words>;
}

const load = <T>(file: string): T =>
  JSON.parse(readFileSync(resolve(import.meta.dirname, '../configs', file), 'utf8')) as T;

export const SITES: Record<SiteId, Site> = {
  blooom: {
    id: 'blooom',
    name: 'Blooom',
    lang: 'fr',
    config: load('blooom.json'),
    notes: load('blooom.notes.json'),
    words: {
      en: {
        ...EN,
        tagline: 'Flowers delivered to your door',
        product: {
          ...EN.product,
          name: 'The Seasonal bouquet',
          text: 'Fresh seasonal flowers, arranged by our florists the morning they are delivered.',
          price: '€39.00',
        },
        home: { title: 'Welcome to Blooom', text: 'Fresh flowers, delivered across France within 24 hours.' },
      },
      fr: {
        nav: {
          home: 'Accueil',
          product: 'Produit',
          video: 'Vidéo',
          checkout: 'Commande',
          'consent-mode': 'Consent Mode',
          'privacy-map': 'Politique → config',
        },
        tagline: 'Des fleurs livrées chez vous',
        cookieSettings: 'Paramètres des cookies',
        privacyPolicy: 'Politique de confidentialité',
        language: 'Langue',
        product: {
          name: 'Le bouquet de saison',
          text: 'Des fleurs fraîches de saison, composées par nos fleuristes le matin de la livraison.',
          price: '39,00 €',
          add: 'Ajouter au panier',
          added: 'Ajouté à votre panier.',
        },
        video: {
          title: 'Notre vidéo',
          text: 'La vidéo ci-dessous provient de YouTube et ne se charge qu’avec votre consentement.',
        },
        checkout: {
          title: 'Commande',
          name: 'Nom complet',
          email: 'E-mail',
          address: 'Adresse de livraison',
          pay: 'Payer (démo : rien n’est envoyé)',
          note: 'Seules les données nécessaires à votre commande sont utilisées ici : aucun traceur ne s’exécute sur cette page sans votre accord.',
        },
        consentMode: {
          title: 'Google Consent Mode',
          text: 'Cette page contient une balise Google (commandes gtag.js, sans le réseau). L’inspecteur montre le dataLayer : la valeur par défaut du consentement avec les sept types vient en premier, puis la mise à jour enregistrée, puis la configuration de la balise.',
        },
        home: { title: 'Bienvenue chez Blooom', text: 'Des fleurs fraîches, livrées partout en France en 24 heures.' },
      },
      bg: EN,
    },
  },
  blokku: {
    id: 'blokku',
    name: 'Blokku',
    lang: 'bg',
    config: load('blokku.json'),
    notes: load('blokku.notes.json'),
    words: {
      en: {
        ...EN,
        tagline: 'Online shop',
        product: {
          ...EN.product,
          name: 'Oak desk organiser',
          text: 'A desk organiser made of solid oak, handmade in Bulgaria.',
          price: '45.00 BGN',
        },
        home: {
          title: 'Welcome to Blokku',
          text: 'Handmade things for your home and office, shipped across Bulgaria.',
        },
      },
      bg: {
        nav: {
          home: 'Начало',
          product: 'Продукт',
          video: 'Видео',
          checkout: 'Поръчка',
          'consent-mode': 'Consent Mode',
          'privacy-map': 'Политика → конфигурация',
        },
        tagline: 'Онлайн магазин',
        cookieSettings: 'Настройки за бисквитките',
        privacyPolicy: 'Политика за поверителност',
        language: 'Език',
        product: {
          name: 'Органайзер за бюро от дъб',
          text: 'Органайзер за бюро от масивен дъб, ръчна изработка от България.',
          price: '45,00 лв.',
          add: 'Добави в количката',
          added: 'Добавено в количката.',
        },
        video: {
          title: 'Нашето видео',
          text: 'Видеото по-долу е от YouTube и се зарежда само с вашето съгласие.',
        },
        checkout: {
          title: 'Поръчка',
          name: 'Име и фамилия',
          email: 'Имейл',
          address: 'Адрес за доставка',
          pay: 'Плащане (демо: нищо не се изпраща)',
          note: 'Тук се използват само данните, нужни за поръчката ви: на тази страница не работи проследяване без вашето съгласие.',
        },
        consentMode: {
          title: 'Google Consent Mode',
          text: 'Тази страница има таг на Google (команди на gtag.js, без мрежата). Инспекторът показва dataLayer: първо стойността по подразбиране за съгласието с всичките седем типа, после запазената актуализация и накрая конфигурацията на тага.',
        },
        home: {
          title: 'Добре дошли в Blokku',
          text: 'Ръчно изработени неща за дома и офиса, с доставка в цяла България.',
        },
      },
      fr: EN,
    },
  },
};
