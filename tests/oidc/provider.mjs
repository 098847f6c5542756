// A real OpenID Provider for the sign-in tests: panva/node-oidc-provider (OpenID certified), on
// loopback. Usage: node provider.mjs <port> <redirect_uri> <post_logout_redirect_uri>
// Prints "ready <issuer>" when listening. Its development login screen accepts any login name and
// password; the login name becomes `sub`. Claims: see ACCOUNTS (organisatie = municipality code
// claim). Keys are generated at start: nothing is fetched at run time.
import Provider from 'oidc-provider';

const [port, redirectUri, postLogoutUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const ACCOUNTS = {
  anna: { given_name: 'Anna', family_name: 'de Vries', organisatie: 'ORG-GRONINGEN' },
  nieuw: { given_name: 'Nina', family_name: 'Nieuw', organisatie: 'ORG-GRONINGEN' },
  zonderrol: { given_name: 'Zeno', family_name: 'Zonder Rol', organisatie: 'ORG-ONBEKEND' },
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'elip-portal',
      client_secret: 'test-geheim-van-de-portal-0123456789',
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [postLogoutUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  claims: {
    openid: ['sub'],
    email: ['email'],
    profile: ['given_name', 'family_name', 'name'],
    organisatie: ['organisatie'],
  },
  scopes: ['openid', 'email', 'profile', 'organisatie'],
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => {
      const account = ACCOUNTS[id] || { given_name: id, family_name: 'Test', organisatie: '' };
      return {
        sub: id,
        email: `${id}@gemeente.example.nl`,
        name: `${account.given_name} ${account.family_name}`,
        ...account,
      };
    },
  }),
  pkce: { required: () => false },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  ttl: { IdToken: 300, AccessToken: 300, Session: 3600, Interaction: 600, Grant: 3600 },
  conformIdTokenClaims: false, // the id_token carries the claims too (what eHerkenning brokers do)
  cookies: { keys: ['test-only-cookie-key-0123456789abcdef'] },
});
provider.proxy = false;
provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
