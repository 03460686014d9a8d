/* flonum.c -- exact conversions between IEEE-754 binary64 doubles and
 * decimal (see flonum.h for the interface).
 *
 * Printer (flo_shortest): the method of R. Giulietti, "The Schubfach way to
 * render doubles" (2020). For v = c x 2^q the rounding interval R (the reals
 * that read back to v) has width 2^q, or 3/4 x 2^q just above a power of two.
 * Pick k with 1 <= width / 10^k < 10. Then at most one multiple of 10^(k+1)
 * lies in R, and one of floor(v / 10^k) and floor(v / 10^k) + 1 (times 10^k)
 * does; whichever of these is in R (preferring the shorter, then the closer,
 * then the even) is the answer, with trailing zeros removed. The scaled
 * bounds 4 x (v, lower end, upper end) / 10^k come from one table of 126-bit
 * powers of ten: floor(N x g >> sh), where g overestimates 10^-k by less than
 * 2^-125 relative. That floor is exact for every N < 2^55+3 and every binary
 * exponent: the error is below 2^-66, while (by a continued-fraction search
 * over every exponent, done when the table was made) no N x 2^q / 10^k that
 * is not an integer lies within 2^-64 below an integer. Whether a bound is an
 * integer (it matters only for the end points and ties) is decided exactly
 * by divisibility.
 *
 * Reader (flo_from_decimal): the value is D x 10^E with D the first <= 19
 * significant digits. Enclose it in [D x T, (D+1) x (T+1)] x 2^r, where
 * T x 2^r <= 10^E < (T+1) x 2^r comes from the same table (the +1 on D only
 * when digits were dropped), and round both ends; since rounding is monotone,
 * if they agree that is the answer (Clinger's exact fast path goes first).
 * Otherwise the value is within 2^-59 relative of the midpoint between two
 * adjacent doubles, and the midpoint is compared exactly with the decimal
 * using fixed-size big integers (Clinger's "How to read floating point
 * numbers accurately", algorithm R's comparison step). At most 800
 * significant digits are used: every midpoint between doubles has at most
 * 767, so the dropped tail only matters as a nonzero "sticky" excess.
 *
 * The table: g[e] = floor(10^e / 2^r) + 1 with r = floor(e x log2 10) - 125,
 * so 2^125 < g[e] < 2^126, for e in [G_EMIN, G_EMAX]; in Python:
 *   r = (10**e).bit_length()-126 if e >= 0 else -((10**-e-1).bit_length())-125
 *   g = (10**e >> r if r >= 0 else 10**e << -r) + 1 if e >= 0 else
 *       (1 << -r) // 10**-e + 1
 *
 * SPDX-License-Identifier: MIT
 */
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <float.h>

#include "flonum.h"

/* Smallest and largest e of 10^e in the table: the reader needs
 * [-342, 308], the printer [-292, 324]. */
#define G_EMIN (-343)
#define G_EMAX 324

/* g[e - G_EMIN] = {high 64 bits, low 64 bits} of floor(10^e / 2^r) + 1,
 * r = floor(e x log2 10) - 125 (see the file header). */
static const uint64_t g_table[G_EMAX - G_EMIN + 1][2] = {
    {0x2fca772aea0bf7abu, 0x9d0cbba1ce203f0du}, /* -343 */
    {0x3bbd14f5a48ef596u, 0x844fea8a41a84ed0u}, /* -342 */
    {0x25562d1986d9597eu, 0x12b1f29669093142u}, /* -341 */
    {0x2eabb85fe88fafddu, 0x975e6f3c034b7d93u}, /* -340 */
    {0x3a56a677e2b39bd4u, 0xfd360b0b041e5cf8u}, /* -339 */
    {0x2476280aedb04165u, 0x1e41c6e6e292fa1bu}, /* -338 */
    {0x2d93b20da91c51beu, 0x65d238a09b37b8a2u}, /* -337 */
    {0x38f89e911363662du, 0xff46c6c8c205a6cau}, /* -336 */
    {0x239b631aac1e1fdcu, 0xbf8c3c3d7943883eu}, /* -335 */
    {0x2c823be15725a7d3u, 0xef6f4b4cd7946a4eu}, /* -334 */
    {0x37a2cad9acef11c8u, 0xeb4b1e200d7984e1u}, /* -333 */
    {0x22c5bec80c156b1du, 0x930ef2d4086bf30du}, /* -332 */
    {0x2b772e7a0f1ac5e4u, 0xf7d2af890a86efd0u}, /* -331 */
    {0x3654fa1892e1775eu, 0x35c75b6b4d28abc4u}, /* -330 */
    {0x21f51c4f5bccea9au, 0xe19c992310396b5bu}, /* -329 */
    {0x2a72636332c02541u, 0x9a03bf6bd447c631u}, /* -328 */
    {0x350efc3bff702e92u, 0x0084af46c959b7bdu}, /* -327 */
    {0x21295da57fa61d1bu, 0x4052ed8c3dd812d6u}, /* -326 */
    {0x2973b50edf8fa462u, 0x1067a8ef4d4e178cu}, /* -325 */
    {0x33d0a25297738d7au, 0x9481932b20a19d6fu}, /* -324 */
    {0x206265739ea8386cu, 0x9cd0fbfaf4650265u}, /* -323 */
    {0x287afed086524687u, 0xc4053af9b17e42ffu}, /* -322 */
    {0x3299be84a7e6d829u, 0xb50689b81dddd3beu}, /* -321 */
    {0x3f402e25d1e08e34u, 0x22482c26255548aeu}, /* -320 */
    {0x27881cd7a32c58e0u, 0x956d1b97d7554d6du}, /* -319 */
    {0x316a240d8bf76f18u, 0xbac8627dcd2aa0c8u}, /* -318 */
    {0x3dc4ad10eef54adeu, 0xe97a7b1d407548fau}, /* -317 */
    {0x269aec2a95594ecbu, 0x51ec8cf248494d9cu}, /* -316 */
    {0x3041a7353aafa27eu, 0x2667b02eda5ba103u}, /* -315 */
    {0x3c521102895b8b1du, 0xb0019c3a90f28944u}, /* -314 */
    {0x25b34aa195d936f2u, 0x8e0101a49a9795cbu}, /* -313 */
    {0x2f201d49fb4f84afu, 0x3181420dc13d7b3du}, /* -312 */
    {0x3ae8249c7a2365dau, 0xfde19291318cda0cu}, /* -311 */
    {0x24d116e1cc561fa8u, 0xdeacfb9abef80848u}, /* -310 */
    {0x2e055c9a3f6ba793u, 0x16583a816eb60a5au}, /* -309 */
    {0x3986b3c0cf469177u, 0xdbee4921ca638cf0u}, /* -308 */
    {0x23f43058818c1aeau, 0xe974edb51e7e3816u}, /* -307 */
    {0x2cf13c6ea1ef21a5u, 0xa3d22922661dc61cu}, /* -306 */
    {0x382d8b8a4a6aea0fu, 0x0cc6b36affa537a2u}, /* -305 */
    {0x231c77366e82d249u, 0x67fc3022dfc742c6u}, /* -304 */
    {0x2be395040a2386dbu, 0xc1fb3c2b97b91377u}, /* -303 */
    {0x36dc7a450cac6892u, 0xb27a0b367da75855u}, /* -302 */
    {0x2249cc6b27ebc15bu, 0xaf8c47020e889735u}, /* -301 */
    {0x2adc3f85f1e6b1b2u, 0x9b6f58c2922abd02u}, /* -300 */
    {0x35934f676e605e1fu, 0x424b2ef336b56c43u}, /* -299 */
    {0x217c11a0a4fc3ad3u, 0x896efd58023163aau}, /* -298 */
    {0x29db1608ce3b4988u, 0x6bcabcae02bdbc94u}, /* -297 */
    {0x3451db8b01ca1beau, 0x86bd6bd9836d2bb9u}, /* -296 */
    {0x20b32936e11e5172u, 0x94366367f2243b54u}, /* -295 */
    {0x28dff3849965e5cfu, 0x3943fc41eead4a29u}, /* -294 */
    {0x3317f065bfbf5f43u, 0x0794fb526a589cb3u}, /* -293 */
    {0x3fddec7f2faf3713u, 0xc97a3a2704eec3dfu}, /* -292 */
    {0x27eab3cf7dcd826cu, 0x5dec645863153a6cu}, /* -291 */
    {0x31e560c35d40e307u, 0x75677d6e7bda8906u}, /* -290 */
    {0x3e5eb8f434911bc9u, 0x52c15cca1ad12b48u}, /* -289 */
    {0x26fb3398a0dab15du, 0xd3b8d9fe50c2bb0du}, /* -288 */
    {0x30ba007ec9115db5u, 0x48a7107de4f369d0u}, /* -287 */
    {0x3ce8809e7b55b522u, 0x9ad0d49d5e304444u}, /* -286 */
    {0x261150630d159135u, 0xa0c284e25ade2aabu}, /* -285 */
    {0x2f95a47bd05af583u, 0x08f3261af195b555u}, /* -284 */
    {0x3b7b0d9ac471b2e3u, 0xcb2fefa1adfb22abu}, /* -283 */
    {0x252ce880bac70fceu, 0x5efdf5c50cbcf5abu}, /* -282 */
    {0x2e7822a0e978d3c1u, 0xf6bd73364fec3315u}, /* -281 */
    {0x3a162b4923d708b2u, 0x746cd003e3e73fdbu}, /* -280 */
    {0x244ddb0db666656fu, 0x88c402026e7087e9u}, /* -279 */
    {0x2d6151d123fffecbu, 0x6af502830a0ca9e3u}, /* -278 */
    {0x38b9a6456cfffe7eu, 0x45b24323cc8fd45cu}, /* -277 */
    {0x237407eb641fff0eu, 0xeb8f69f65fd9e4b9u}, /* -276 */
    {0x2c5109e63d27fed2u, 0xa6734473f7d05de8u}, /* -275 */
    {0x37654c5fcc71fe87u, 0x50101590f5c47561u}, /* -274 */
    {0x229f4fbbdfc73f14u, 0x920a0d7a999ac95du}, /* -273 */
    {0x2b4723aad7b90ed9u, 0xb68c90d940017bb4u}, /* -272 */
    {0x3618ec958da75290u, 0x242fb50f9001daa1u}, /* -271 */
    {0x21cf93dd7888939au, 0x169dd129ba0128a5u}, /* -270 */
    {0x2a4378d4d6aab880u, 0x9c454574288172ceu}, /* -269 */
    {0x34d4570a0c5566a0u, 0xc35696d132a1cf81u}, /* -268 */
    {0x2104b66647b56024u, 0x7a161e42bfa521b1u}, /* -267 */
    {0x2945e3ffd9a2b82du, 0x989ba5d36f8e6a1du}, /* -266 */
    {0x33975cffd00b6638u, 0xfec28f484b7204a4u}, /* -265 */
    {0x203e9a1fe2071fe3u, 0x9f39998d2f2742e7u}, /* -264 */
    {0x284e40a7da88e7dcu, 0x8707fff07af113a1u}, /* -263 */
    {0x3261d0d1d12b21d3u, 0xa8c9ffec99ad5889u}, /* -262 */
    {0x3efa45064575ea48u, 0x92fc7fe7c018aeabu}, /* -261 */
    {0x275c6b23eb69b26du, 0x5bddcff0d80f6d2bu}, /* -260 */
    {0x313385ece6441f08u, 0xb2d543ed0e134875u}, /* -259 */
    {0x3d8067681fd526cau, 0xdf8a94e851981a93u}, /* -258 */
    {0x267040a113e5383eu, 0xcbb69d1132ff109cu}, /* -257 */
    {0x300c50c958de864eu, 0x7ea444557fbed4c3u}, /* -256 */
    {0x3c0f64fbaf1627e2u, 0x1e4d556adfae89f3u}, /* -255 */
    {0x25899f1d4d6dd8edu, 0x52f05562cbcd1638u}, /* -254 */
    {0x2eec06e4a0c94f28u, 0xa7ac6abb7ec05bc6u}, /* -253 */
    {0x3aa7089dc8fba2f2u, 0xd197856a5e7072b8u}, /* -252 */
    {0x24a865629d9d45d7u, 0xc2feb3627b0647b3u}, /* -251 */
    {0x2dd27ebb4504974du, 0xb3be603b19c7d99fu}, /* -250 */
    {0x39471e6a1645bd21u, 0x20adf849e039d007u}, /* -249 */
    {0x23cc73024deb9634u, 0xb46cbb2e2c242205u}, /* -248 */
    {0x2cbf8fc2e1667bc1u, 0xe187e9f9b72d2a86u}, /* -247 */
    {0x37ef73b399c01ab2u, 0x59e9e47824f87527u}, /* -246 */
    {0x22f5a850401810afu, 0x78322ecb171b4939u}, /* -245 */
    {0x2bb31264501e14dbu, 0x563eba7ddce21b87u}, /* -244 */
    {0x369fd6fd64259a12u, 0x2bce691d541aa268u}, /* -243 */
    {0x2223e65e5e97804bu, 0x5b6101b25490a581u}, /* -242 */
    {0x2aacdff5f63d605eu, 0x3239421ee9b4cee1u}, /* -241 */
    {0x355817f373ccb875u, 0xbec792a6a422029au}, /* -240 */
    {0x21570ef8285ff349u, 0x973cbba8269541a0u}, /* -239 */
    {0x29acd2b63277f01bu, 0xfd0bea92303a9208u}, /* -238 */
    {0x34180763bf15ec22u, 0xfc4ee536bc49368au}, /* -237 */
    {0x208f049e576db395u, 0xddb14f4235adc217u}, /* -236 */
    {0x28b2c5c5ed49207bu, 0x551da312c319329cu}, /* -235 */
    {0x32df7737689b689au, 0x2a650bd773df7f43u}, /* -234 */
    {0x3f97550542c242c0u, 0xb4fe4ecd50d75f14u}, /* -233 */
    {0x27be952349b969b8u, 0x711ef14052869b6cu}, /* -232 */
    {0x31ae3a6c1c27c426u, 0x8d66ad9067284247u}, /* -231 */
    {0x3e19c9072331b530u, 0x30c058f480f252d9u}, /* -230 */
    {0x26d01da475ff113eu, 0x1e783798d09773c8u}, /* -229 */
    {0x3084250d937ed58du, 0xa616457f04bd50bau}, /* -228 */
    {0x3ca52e50f85e8af1u, 0x0f9bd6dec5eca4e8u}, /* -227 */
    {0x25e73cf29b3b16d6u, 0xa9c1664b3bb3e711u}, /* -226 */
    {0x2f610c2f4209dc8cu, 0x5431bfde0aa0e0d5u}, /* -225 */
    {0x3b394f3b128c53afu, 0x693e2fd58d49190bu}, /* -224 */
    {0x2503d184eb97b44du, 0xa1c6dde5784dafa7u}, /* -223 */
    {0x2e44c5e6267da161u, 0x0a38955ed6611b90u}, /* -222 */
    {0x39d5f75fb01d09b9u, 0x4cc6bab68bf96274u}, /* -221 */
    {0x2425ba9bce122613u, 0xcffc34b2177bdd89u}, /* -220 */
    {0x2d2f2942c196af98u, 0xc3fb41de9d5ad4ebu}, /* -219 */
    {0x387af39371fc5b7eu, 0xf4fa125644b18a26u}, /* -218 */
    {0x234cd83c273db92fu, 0x591c4b75eaeef658u}, /* -217 */
    {0x2c200e4b310d277bu, 0x2f635e5365aab3edu}, /* -216 */
    {0x372811ddfd507159u, 0xfb3c35e83f1560e9u}, /* -215 */
    {0x22790b2abe5246d8u, 0x3d05a1b1276d5c92u}, /* -214 */
    {0x2b174df56de6d88eu, 0x4c470a1d7148b3b6u}, /* -213 */
    {0x35dd2172c9608eb1u, 0xdf58cca4cd9ae0a3u}, /* -212 */
    {0x21aa34e7bddc592fu, 0x2b977fe70080cc66u}, /* -211 */
    {0x2a14c221ad536f7au, 0xf67d5fe0c0a0ff80u}, /* -210 */
    {0x3499f2aa18a84b59u, 0xb41cb7d8f0c93f5fu}, /* -209 */
    {0x20e037aa4f692f18u, 0x1091f2e7967dc79cu}, /* -208 */
    {0x29184594e3437adeu, 0x14b66fa17c1d3983u}, /* -207 */
    {0x335e56fa1c145995u, 0x99e40b89db2487e3u}, /* -206 */
    {0x201af65c518cb7fdu, 0x802e873628f6d4eeu}, /* -205 */
    {0x2821b3f365efe5fcu, 0xe03a2903b3348a2au}, /* -204 */
    {0x322a20f03f6bdf7cu, 0x1848b344a001acb4u}, /* -203 */
    {0x3eb4a92c4f46d75bu, 0x1e5ae015c80217e1u}, /* -202 */
    {0x2730e9bbb18c4698u, 0xf2f8cc0d9d014eedu}, /* -201 */
    {0x30fd242a9def583fu, 0x2fb6ff110441a2a8u}, /* -200 */
    {0x3d3c6d35456b2e4eu, 0xfba4bed545520b52u}, /* -199 */
    {0x2645c4414b62fcf1u, 0x5d46f7454b534713u}, /* -198 */
    {0x2fd735519e3bbc2du, 0xb498b5169e2818d8u}, /* -197 */
    {0x3bcd02a605caab39u, 0x21bee25c45b21f0eu}, /* -196 */
    {0x256021a7c39eab03u, 0xb5174d79ab8f5369u}, /* -195 */
    {0x2eb82a11b48655c4u, 0xa25d20d816732843u}, /* -194 */
    {0x3a66349621a7eb35u, 0xcaf4690e1c0ff253u}, /* -193 */
    {0x247fe0ddd508f301u, 0x9ed8c1a8d189f774u}, /* -192 */
    {0x2d9fd9154a4b2fc2u, 0x068ef21305ec7551u}, /* -191 */
    {0x3907cf5a9cddfbb2u, 0x8832ae97c76792a5u}, /* -190 */
    {0x23a4e198a20abd4fu, 0x951fad1edca0bba8u}, /* -189 */
    {0x2c8e19feca8d6ca3u, 0x7a67986693c8ea91u}, /* -188 */
    {0x37b1a07e7d30c7ccu, 0x59017e8038bb2536u}, /* -187 */
    {0x22cf044f0e3e7cdfu, 0xb7a0ef102374f742u}, /* -186 */
    {0x2b82c562d1ce1c17u, 0xa5892ad42c523512u}, /* -185 */
    {0x366376bb8641a31du, 0x8eeb75893766c256u}, /* -184 */
    {0x21fe2a3533e905f2u, 0x79532975c2a03976u}, /* -183 */
    {0x2a7db4c280e3476fu, 0x17a7f3d3334847d4u}, /* -182 */
    {0x351d21f3211c194au, 0xdd91f0c8001a59c8u}, /* -181 */
    {0x21323537f4b18fceu, 0xca7b367d0010781du}, /* -180 */
    {0x297ec285f1ddf3c2u, 0x7d1a041c40149625u}, /* -179 */
    {0x33de73276e5570b3u, 0x1c6085235019bbaeu}, /* -178 */
    {0x206b07f8a4f5666fu, 0xf1bc53361210154du}, /* -177 */
    {0x2885c9f6ce32c00bu, 0xee2b680396941aa0u}, /* -176 */
    {0x32a73c7481bf700eu, 0xe9b642047c392148u}, /* -175 */
    {0x3f510b91a22f4c12u, 0xa423d2859b476999u}, /* -174 */
    {0x2792a73b055d8f8bu, 0xa6966393810ca200u}, /* -173 */
    {0x31775109c6b4f36eu, 0x903bfc78614fca80u}, /* -172 */
    {0x3dd5254c3862304au, 0x344afb9679a3bd20u}, /* -171 */
    {0x26a5374fa33d5e2eu, 0x60aedd3e0c065634u}, /* -170 */
    {0x304e85238c0cb5b9u, 0xf8da948d8f07ebc1u}, /* -169 */
    {0x3c62266c6f0fe328u, 0x771139b0f2c9e6b1u}, /* -168 */
    {0x25bd5803c569edf9u, 0x4a6ac40e97be302fu}, /* -167 */
    {0x2f2cae04b6c46977u, 0x9d0575123dadbc3au}, /* -166 */
    {0x3af7d985e47583d5u, 0x8446d256cd192b49u}, /* -165 */
    {0x24dae7f3aec97265u, 0x72ac4376402fbb0eu}, /* -164 */
    {0x2e11a1f09a7bcefeu, 0xcf575453d03ba9d1u}, /* -163 */
    {0x39960a6cc11ac2beu, 0x832d2968c44a9445u}, /* -162 */
    {0x23fdc683f8b0b9b7u, 0x11fc39e17aae9cabu}, /* -161 */
    {0x2cfd3824f6dce824u, 0xd67b4859d95a43d6u}, /* -160 */
    {0x383c862e3494222eu, 0x0c1a1a704fb0d4ccu}, /* -159 */
    {0x2325d3dce0dc955cu, 0xc790508631ce84ffu}, /* -158 */
    {0x2bef48d41913bab3u, 0xf97464a7be42263fu}, /* -157 */
    {0x36eb1b091f58a960u, 0xf7d17dd1add2afcfu}, /* -156 */
    {0x2252f0e5b39769dcu, 0x9ae2eea30ca3ade1u}, /* -155 */
    {0x2ae7ad1f207d4453u, 0xc19baa4bcfcc995au}, /* -154 */
    {0x35a19866e89c9568u, 0xb20294dec3bfbfb0u}, /* -153 */
    {0x2184ff405161dd61u, 0x6f419d0b3a57d7ceu}, /* -152 */
    {0x29e63f1065ba54b9u, 0xcb12044e08edcdc2u}, /* -151 */
    {0x345fced47f28e9e8u, 0x3dd685618b294132u}, /* -150 */
    {0x20bbe144cf799231u, 0x26a6135cf6f9c8bfu}, /* -149 */
    {0x28ead9960357f6bdu, 0x704f983434b83aefu}, /* -148 */
    {0x33258ffb842df46cu, 0xcc637e4141e649abu}, /* -147 */
    {0x3feef3fa65397187u, 0xff7c5dd1925fdc15u}, /* -146 */
    {0x27f5587c7f43e6f4u, 0xffadbaa2fb7be98du}, /* -145 */
    {0x31f2ae9b9f14e0b2u, 0x3f99294bba5ae3f1u}, /* -144 */
    {0x3e6f5a4286da18deu, 0xcf7f739ea8f19cedu}, /* -143 */
    {0x2705986994484f8bu, 0x41afa84329970214u}, /* -142 */
    {0x30c6fe83f95a636eu, 0x121b9253f3fcc299u}, /* -141 */
    {0x3cf8be24f7b0fc49u, 0x96a276e8f0fbf33fu}, /* -140 */
    {0x261b76d71ace9dadu, 0xfe258a51969d7808u}, /* -139 */
    {0x2fa2548ce1824519u, 0x7daeece5fc44d609u}, /* -138 */
    {0x3b8ae9b019e2d65fu, 0xdd1aa81f7b560b8cu}, /* -137 */
    {0x2536d20e102dc5fbu, 0xea30a913ad15c738u}, /* -136 */
    {0x2e8486919439377au, 0xe4bcd358985b3905u}, /* -135 */
    {0x3a25a835f9478559u, 0x9dec082ebe720746u}, /* -134 */
    {0x24578921bbccb358u, 0x02b3851d3707448cu}, /* -133 */
    {0x2d6d6b6a2abfe02eu, 0x0360666484c915afu}, /* -132 */
    {0x38c8c644b56fd839u, 0x84387ffda5fb5b1bu}, /* -131 */
    {0x237d7beaf165e723u, 0xf2a34ffe87bd18f1u}, /* -130 */
    {0x2c5cdae5adbf60ecu, 0xef4c23fe29ac5f2du}, /* -129 */
    {0x3774119f192f3928u, 0x2b1f2cfdb41776f8u}, /* -128 */
    {0x22a88b036fbd83b9u, 0x1af37c1e908eaa5bu}, /* -127 */
    {0x2b52adc44bace4a7u, 0x61b05b2634b254f2u}, /* -126 */
    {0x362759355e981dd1u, 0x3a1c71efc1deea2eu}, /* -125 */
    {0x21d897c15b1f12a2u, 0xc451c735d92b525du}, /* -124 */
    {0x2a4ebdb1b1e6d74bu, 0x756639034f7626f4u}, /* -123 */
    {0x34e26d1e1e608d1eu, 0x52bfc7442353b0b1u}, /* -122 */
    {0x210d8432d2fc5832u, 0xf3b7dc8a96144e6fu}, /* -121 */
    {0x2950e53f87bb6e3fu, 0xb0a5d3ad3b99620bu}, /* -120 */
    {0x33a51e8f69aa49cfu, 0x9ccf48988a7fba8du}, /* -119 */
    {0x20473319a20a6e21u, 0xc2018d5f568fd498u}, /* -118 */
    {0x2858ffe00a8d09aau, 0x3281f0b72c33c9beu}, /* -117 */
    {0x326f3fd80d304c14u, 0xbf226ce4f740bc2eu}, /* -116 */
    {0x3f0b0fce107c5f19u, 0xeeeb081e3510eb39u}, /* -115 */
    {0x2766e9e0ca4dbb70u, 0x3552e512e12a9304u}, /* -114 */
    {0x3140a458fce12a4cu, 0x42a79e57997537c5u}, /* -113 */
    {0x3d90cd6f3c1974dfu, 0x535185ed7fd285b6u}, /* -112 */
    {0x267a8065858fe90bu, 0x9412f3b46fe39392u}, /* -111 */
    {0x3019207ee6f3e34eu, 0x7917b0a18bdc7876u}, /* -110 */
    {0x3c1f689ea0b0dc22u, 0x175d9cc9eed39694u}, /* -109 */
    {0x2593a163246e8995u, 0x4e9a81fe35443e1cu}, /* -108 */
    {0x2ef889bbed8a2bfau, 0xa241227dc2954da3u}, /* -107 */
    {0x3ab6ac2ae8ecb6f9u, 0x4ad16b1d333aa10cu}, /* -106 */
    {0x24b22b9ad193f25bu, 0xcec2e2f24004a4a8u}, /* -105 */
    {0x2ddeb68185f8eef2u, 0xc2739baed005cdd2u}, /* -104 */
    {0x39566421e7772aafu, 0x7310829a84074146u}, /* -103 */
    {0x23d5fe9530aa7aadu, 0xa7ea51a0928488ccu}, /* -102 */
    {0x2ccb7e3a7cd51959u, 0x11e4e608b725aaffu}, /* -101 */
    {0x37fe5dc91c0a5fafu, 0x565e1f8ae4ef15beu}, /* -100 */
    {0x22fefa9db1867bcdu, 0x95fad3b6cf156d97u}, /* -99 */
    {0x2bbeb9451de81ac0u, 0xfb7988a482dac8fdu}, /* -98 */
    {0x36ae679665622171u, 0x3a57eacda3917b3cu}, /* -97 */
    {0x222d00bdff5d54e6u, 0xc476f2c0863aed06u}, /* -96 */
    {0x2ab840ed7f34aa20u, 0x7594af70a7c9a847u}, /* -95 */
    {0x35665128df01d4a8u, 0x92f9db4cd1bc1258u}, /* -94 */
    {0x215ff2b98b6124e9u, 0x5bdc291003158b77u}, /* -93 */
    {0x29b7ef67ee396e23u, 0xb2d3335403daee55u}, /* -92 */
    {0x3425eb41e9c7c9acu, 0x9f88002904d1a9eau}, /* -91 */
    {0x2097b309321cde0bu, 0xe3b50019a3030a33u}, /* -90 */
    {0x28bd9fcb7ea4158eu, 0xdca240200bc3ccbfu}, /* -89 */
    {0x32ed07be5e4d1af2u, 0x93cad0280eb4bfefu}, /* -88 */
    {0x3fa849adf5e061afu, 0x38bd84321261efebu}, /* -87 */
    {0x27c92e0cb9ac3d0du, 0x8376729f4b7d35f3u}, /* -86 */
    {0x31bb798fe8174c50u, 0xe4540f471e5c836fu}, /* -85 */
    {0x3e2a57f3e21d1f65u, 0x1d691318e5f3a44bu}, /* -84 */
    {0x26da76f86d52339fu, 0x3261abef8fb846afu}, /* -83 */
    {0x309114b688a6c086u, 0xfefa16eb73a6585bu}, /* -82 */
    {0x3cb559e42ad070a8u, 0xbeb89ca6508fee71u}, /* -81 */
    {0x25f1582e9ac24669u, 0x773361e7f259f507u}, /* -80 */
    {0x2f6dae3a4172d803u, 0xd5003a61eef07249u}, /* -79 */
    {0x3b4919c8d1cf8e04u, 0xca4048fa6aac8edbu}, /* -78 */
    {0x250db01d8321b8c2u, 0xfe682d9c82abd949u}, /* -77 */
    {0x2e511c24e3ea26f3u, 0xbe023903a356cf9bu}, /* -76 */
    {0x39e5632e1ce4b0b0u, 0xad82c7448c2c8382u}, /* -75 */
    {0x242f5dfcd20eee6eu, 0x6c71bc8ad79bd231u}, /* -74 */
    {0x2d3b357c0692aa0au, 0x078e2bad8d82c6bdu}, /* -73 */
    {0x388a02db0837548cu, 0x8971b698f0e3786du}, /* -72 */
    {0x235641c8e52294d7u, 0xd5e7121f968e2b44u}, /* -71 */
    {0x2c2bd23b1e6b3a0du, 0xcb60d6a77c31b615u}, /* -70 */
    {0x3736c6c9e6060891u, 0x3e390c515b3e239au}, /* -69 */
    {0x22823c3e2fc3c55au, 0xc6e3a7b2d906d640u}, /* -68 */
    {0x2b22cb4dbbb4b6b1u, 0x789c919f8f488bd0u}, /* -67 */
    {0x35eb7e212aa1e45du, 0xd6c3b607731aaec4u}, /* -66 */
    {0x21b32ed4baa52ebau, 0xa63a51c4a7f0ad3bu}, /* -65 */
    {0x2a1ffa89e94e7a69u, 0x4fc8e635d1ecd88au}, /* -64 */
    {0x34a7f92c63a21903u, 0xa3bb1fc346680eacu}, /* -63 */
    {0x20e8fbbbbe454fa2u, 0x4654f3da0c01092cu}, /* -62 */
    {0x29233aaaadd6a38au, 0xd7ea30d08f014b76u}, /* -61 */
    {0x336c0955594c4c6du, 0x8de4bd04b2c19e54u}, /* -60 */
    {0x202385d557cfafc4u, 0x78aef622efb902f5u}, /* -59 */
    {0x282c674aadc39bb5u, 0x96dab3ababa743b2u}, /* -58 */
    {0x3237811d593482a2u, 0xfc9160969691149eu}, /* -57 */
    {0x3ec56164af81a34bu, 0xbbb5b8bc3c3559c5u}, /* -56 */
    {0x273b5cdeedb1060fu, 0x55519375a5a1581bu}, /* -55 */
    {0x310a3416a91d4793u, 0x2aa5f8530f09ae22u}, /* -54 */
    {0x3d4cc11c53649977u, 0xf54f7667d2cc19abu}, /* -53 */
    {0x264ff8b1b41edfeau, 0xf951aa00e3bf900bu}, /* -52 */
    {0x2fe3f6de212697e5u, 0xb7a614811caf740du}, /* -51 */
    {0x3bdcf495a9703ddfu, 0x258f99a163db5111u}, /* -50 */
    {0x256a18dd89e626abu, 0x7779c004de6912abu}, /* -49 */
    {0x2ec49f14ec5fb056u, 0x5558300616035755u}, /* -48 */
    {0x3a75c6da27779c6bu, 0xeaae3c079b842d2au}, /* -47 */
    {0x24899c4858aac1c3u, 0x72ace584c1329c3bu}, /* -46 */
    {0x2dac035a6ed57234u, 0x4f581ee5f17f4349u}, /* -45 */
    {0x391704310a8acec1u, 0x632e269f6ddf141bu}, /* -44 */
    {0x23ae629ea696c138u, 0xddfcd823a4ab6c91u}, /* -43 */
    {0x2c99fb46503c7187u, 0x157c0e2c8dd647b5u}, /* -42 */
    {0x37c07a17e44b8de8u, 0xdadb11b7b14bd9a3u}, /* -41 */
    {0x22d84c4eeeaf38b1u, 0x88c8eb12cecf6806u}, /* -40 */
    {0x2b8e5f62aa5b06ddu, 0xeafb25d782834207u}, /* -39 */
    {0x3671f73b54f1c895u, 0x65b9ef4d63241289u}, /* -38 */
    {0x22073a8515171d5du, 0x5f9435905df68b96u}, /* -37 */
    {0x2a8909265a5ce4b4u, 0xb77942f475742e7bu}, /* -36 */
    {0x352b4b6ff0f41de1u, 0xe55793b192d13a1au}, /* -35 */
    {0x213b0f25f69892adu, 0x2f56bc4efbc2c450u}, /* -34 */
    {0x2989d2ef743eb758u, 0x7b2c6b62bab37564u}, /* -33 */
    {0x33ec47ab514e652eu, 0x99f7863b696052bdu}, /* -32 */
    {0x2073accb12d0ff3du, 0x203ab3e521dc33b6u}, /* -31 */
    {0x289097fdd7853f0cu, 0x684960de6a5340a4u}, /* -30 */
    {0x32b4bdfd4d668ecfu, 0x825bb91604e810cdu}, /* -29 */
    {0x3f61ed7ca0c03283u, 0x62f2a75b86221500u}, /* -28 */
    {0x279d346de4781f92u, 0x1dd7a89933d54d20u}, /* -27 */
    {0x318481895d962776u, 0xa54d92bf80caa068u}, /* -26 */
    {0x3de5a1ebb4fbb154u, 0x4ea0f76f60fd4882u}, /* -25 */
    {0x26af8533511d4ed4u, 0xb1249aa59c9e4d51u}, /* -24 */
    {0x305b66802564a289u, 0xdd6dc14f03c5e0a5u}, /* -23 */
    {0x3c7240202ebdcb2cu, 0x54c931a2c4b758cfu}, /* -22 */
    {0x25c768141d369efbu, 0xb4fdbf05baf29781u}, /* -21 */
    {0x2f394219248446bau, 0xa23d2ec729af3d62u}, /* -20 */
    {0x3b07929f6da55869u, 0x4acc7a78f41b0cbau}, /* -19 */
    {0x24e4bba3a4875741u, 0xcebfcc8b9890e7f4u}, /* -18 */
    {0x2e1dea8c8da92d12u, 0x426fbfae7eb521f1u}, /* -17 */
    {0x39a5652fb1137856u, 0xd30baf9a1e626a6du}, /* -16 */
    {0x24075f3dceac2b36u, 0x43e74dc052fd8285u}, /* -15 */
    {0x2d09370d42573603u, 0xd4e1213067bce326u}, /* -14 */
    {0x384b84d092ed0384u, 0xca19697c81ac1befu}, /* -13 */
    {0x232f33025bd42232u, 0xfe4fe1edd10b9175u}, /* -12 */
    {0x2bfaffc2f2c92abfu, 0xbde3da69454e75d3u}, /* -11 */
    {0x36f9bfb3af7b756fu, 0xad5cd10396a21347u}, /* -10 */
    {0x225c17d04dad2965u, 0xcc5a02a23e254c0du}, /* -9 */
    {0x2af31dc4611873bfu, 0x3f70834acdae9f10u}, /* -8 */
    {0x35afe535795e90afu, 0x0f4ca41d811a46d4u}, /* -7 */
    {0x218def416bdb1a6du, 0x698fe69270b06c44u}, /* -6 */
    {0x29f16b11c6d1e108u, 0xc3f3e0370cdc8755u}, /* -5 */
    {0x346dc5d63886594au, 0xf4f0d844d013a92bu}, /* -4 */
    {0x20c49ba5e353f7ceu, 0xd916872b020c49bbu}, /* -3 */
    {0x28f5c28f5c28f5c2u, 0x8f5c28f5c28f5c29u}, /* -2 */
    {0x3333333333333333u, 0x3333333333333334u}, /* -1 */
    {0x2000000000000000u, 0x0000000000000001u}, /* 0 */
    {0x2800000000000000u, 0x0000000000000001u}, /* 1 */
    {0x3200000000000000u, 0x0000000000000001u}, /* 2 */
    {0x3e80000000000000u, 0x0000000000000001u}, /* 3 */
    {0x2710000000000000u, 0x0000000000000001u}, /* 4 */
    {0x30d4000000000000u, 0x0000000000000001u}, /* 5 */
    {0x3d09000000000000u, 0x0000000000000001u}, /* 6 */
    {0x2625a00000000000u, 0x0000000000000001u}, /* 7 */
    {0x2faf080000000000u, 0x0000000000000001u}, /* 8 */
    {0x3b9aca0000000000u, 0x0000000000000001u}, /* 9 */
    {0x2540be4000000000u, 0x0000000000000001u}, /* 10 */
    {0x2e90edd000000000u, 0x0000000000000001u}, /* 11 */
    {0x3a35294400000000u, 0x0000000000000001u}, /* 12 */
    {0x246139ca80000000u, 0x0000000000000001u}, /* 13 */
    {0x2d79883d20000000u, 0x0000000000000001u}, /* 14 */
    {0x38d7ea4c68000000u, 0x0000000000000001u}, /* 15 */
    {0x2386f26fc1000000u, 0x0000000000000001u}, /* 16 */
    {0x2c68af0bb1400000u, 0x0000000000000001u}, /* 17 */
    {0x3782dace9d900000u, 0x0000000000000001u}, /* 18 */
    {0x22b1c8c1227a0000u, 0x0000000000000001u}, /* 19 */
    {0x2b5e3af16b188000u, 0x0000000000000001u}, /* 20 */
    {0x3635c9adc5dea000u, 0x0000000000000001u}, /* 21 */
    {0x21e19e0c9bab2400u, 0x0000000000000001u}, /* 22 */
    {0x2a5a058fc295ed00u, 0x0000000000000001u}, /* 23 */
    {0x34f086f3b33b6840u, 0x0000000000000001u}, /* 24 */
    {0x2116545850052128u, 0x0000000000000001u}, /* 25 */
    {0x295be96e64066972u, 0x0000000000000001u}, /* 26 */
    {0x33b2e3c9fd0803ceu, 0x8000000000000001u}, /* 27 */
    {0x204fce5e3e250261u, 0x1000000000000001u}, /* 28 */
    {0x2863c1f5cdae42f9u, 0x5400000000000001u}, /* 29 */
    {0x327cb2734119d3b7u, 0xa900000000000001u}, /* 30 */
    {0x3f1bdf10116048a5u, 0x9340000000000001u}, /* 31 */
    {0x27716b6a0adc2d67u, 0x7c08000000000001u}, /* 32 */
    {0x314dc6448d9338c1u, 0x5b0a000000000001u}, /* 33 */
    {0x3da137d5b0f806f1u, 0xb1cc800000000001u}, /* 34 */
    {0x2684c2e58e9b0457u, 0x0f1fd00000000001u}, /* 35 */
    {0x3025f39ef241c56cu, 0xd2e7c40000000001u}, /* 36 */
    {0x3c2f7086aed236c8u, 0x07a1b50000000001u}, /* 37 */
    {0x259da6542d43623du, 0x04c5112000000001u}, /* 38 */
    {0x2f050fe938943accu, 0x45f6556800000001u}, /* 39 */
    {0x3ac653e386b9497fu, 0x5773eac200000001u}, /* 40 */
    {0x24bbf46e3433cdefu, 0x96a872b940000001u}, /* 41 */
    {0x2deaf189c140c16bu, 0x7c528f6790000001u}, /* 42 */
    {0x3965adec3190f1c6u, 0x5b67334174000001u}, /* 43 */
    {0x23df8cb39efa971bu, 0xf9208008e8800001u}, /* 44 */
    {0x2cd76fe086b93ce2u, 0xf768a00b22a00001u}, /* 45 */
    {0x380d4bd8a8678c1bu, 0xb542c80deb480001u}, /* 46 */
    {0x23084f676940b791u, 0x5149bd08b30d0001u}, /* 47 */
    {0x2bca63414390e575u, 0xa59c2c4adfd04001u}, /* 48 */
    {0x36bcfc1194751ed3u, 0x0f03375d97c45001u}, /* 49 */
    {0x22361d8afcc93343u, 0xe962029a7edab201u}, /* 50 */
    {0x2ac3a4edbbfb8014u, 0xe3ba83411e915e81u}, /* 51 */
    {0x35748e292afa601au, 0x1ca924116635b621u}, /* 52 */
    {0x2168d8d9badc7c10u, 0x51e9b68adfe191d5u}, /* 53 */
    {0x29c30f1029939b14u, 0x6664242d97d9f64au}, /* 54 */
    {0x3433d2d433f881d9u, 0x7ffd2d38fdd073dcu}, /* 55 */
    {0x20a063c4a07b5127u, 0xeffe3c439ea2486au}, /* 56 */
    {0x28c87cb5c89a2571u, 0xebfdcb54864ada84u}, /* 57 */
    {0x32fa9be33ac0aeceu, 0x66fd3e29a7dd9125u}, /* 58 */
    {0x3fb942dc0970da82u, 0x00bc8db411d4f56eu}, /* 59 */
    {0x27d3c9c985e68891u, 0x4075d8908b251965u}, /* 60 */
    {0x31c8bc3be7602ab5u, 0x90934eb4adee5fbeu}, /* 61 */
    {0x3e3aeb4ae1383562u, 0xf4b82261d969f7adu}, /* 62 */
    {0x26e4d30eccc3215du, 0xd8f3157d27e23accu}, /* 63 */
    {0x309e07d27ff3e9b5u, 0x4f2fdadc71dac97fu}, /* 64 */
    {0x3cc589c71ff0e422u, 0xa2fbd1938e517bdfu}, /* 65 */
    {0x25fb761c73f68e95u, 0xa5dd62fc38f2ed6cu}, /* 66 */
    {0x2f7a53a390f4323bu, 0x0f54bbbb472fa8c6u}, /* 67 */
    {0x3b58e88c75313ec9u, 0xd329eaaa18fb92f8u}, /* 68 */
    {0x25179157c93ec73eu, 0x23fa32aa4f9d3bdbu}, /* 69 */
    {0x2e5d75adbb8e790du, 0xacf8bf54e3848ad2u}, /* 70 */
    {0x39f4d3192a721751u, 0x1836ef2a1c65ad86u}, /* 71 */
    {0x243903efba874e92u, 0xaf22557a51bf8c74u}, /* 72 */
    {0x2d4744eba9292237u, 0x5aeaead8e62f6f91u}, /* 73 */
    {0x3899162693736ac5u, 0x31a5a58f1fbb4b75u}, /* 74 */
    {0x235fadd81c2822bbu, 0x3f07877973d50f29u}, /* 75 */
    {0x2c37994e23322b6au, 0x0ec96957d0ca52f3u}, /* 76 */
    {0x37457fa1abfeb644u, 0x927bc3adc4fce7b0u}, /* 77 */
    {0x228b6fc50b7f31eau, 0xdb8d5a4c9b1e10ceu}, /* 78 */
    {0x2b2e4bb64e5efe65u, 0x9270b0dfc1e59502u}, /* 79 */
    {0x35f9dea3e1f6bdfeu, 0xf70cdd17b25efa42u}, /* 80 */
    {0x21bc2b266d3a36bfu, 0x5a680a2ecf7b5c69u}, /* 81 */
    {0x2a2b35f00888c46fu, 0x31020cba835a3384u}, /* 82 */
    {0x34b6036c0aaaf58au, 0xfd428fe92430c065u}, /* 83 */
    {0x20f1c22386aad976u, 0xde4999f1b69e783fu}, /* 84 */
    {0x292e32ac68558fd4u, 0x95dc006e2446164fu}, /* 85 */
    {0x3379bf57826af3c9u, 0xbb530089ad579be2u}, /* 86 */
    {0x202c1796b182d85eu, 0x1513e0560c56c16eu}, /* 87 */
    {0x28371d7c5de38e75u, 0x9a58d86b8f6c71c9u}, /* 88 */
    {0x3244e4db755c7213u, 0x00ef0e8673478e3bu}, /* 89 */
    {0x3ed61e1252b38e97u, 0xc12ad228101971c9u}, /* 90 */
    {0x2745d2cb73b0391eu, 0xd8bac3590a0fe71eu}, /* 91 */
    {0x3117477e509c4766u, 0x8ee9742f4c93e0e6u}, /* 92 */
    {0x3d5d195de4c35940u, 0x32a3d13b1fb8d91fu}, /* 93 */
    {0x265a2fdaaefa17c8u, 0x1fa662c4f3d387b3u}, /* 94 */
    {0x2ff0bbd15ab89dbau, 0x278ffb7630c869a0u}, /* 95 */
    {0x3beceac5b166c528u, 0xb173fa53bcfa8408u}, /* 96 */
    {0x257412bb8ee03b39u, 0x6ee87c74561c9285u}, /* 97 */
    {0x2ed1176a72984a07u, 0xcaa29b916ba3b726u}, /* 98 */
    {0x3a855d450f3e5c89u, 0xbd4b4275c68ca4f0u}, /* 99 */
    {0x24935a4b2986f9d6u, 0x164f09899c17e716u}, /* 100 */
    {0x2db830ddf3e8b84bu, 0x9be2cbec031de0dcu}, /* 101 */
    {0x39263d1570e2e65eu, 0x82db7ee703e55912u}, /* 102 */
    {0x23b7e62d668dcffbu, 0x11c92f50626f57acu}, /* 103 */
    {0x2ca5dfb8c03143f9u, 0xd63b7b247b0b2d96u}, /* 104 */
    {0x37cf57a6f03d94f8u, 0x4bca59ed99cdf8fcu}, /* 105 */
    {0x22e196c856267d1bu, 0x2f5e78348020bb9eu}, /* 106 */
    {0x2b99fc7a6bb01c61u, 0xfb361641a028ea85u}, /* 107 */
    {0x36807b99069c237au, 0x7a039bd208332526u}, /* 108 */
    {0x22104d3fa421962cu, 0x8c424163451ff738u}, /* 109 */
    {0x2a94608f8d29fbb7u, 0xaf52d1bc1667f506u}, /* 110 */
    {0x353978b370747aa5u, 0x9b27862b1c01f247u}, /* 111 */
    {0x2143eb702648cca7u, 0x80f8b3daf181376du}, /* 112 */
    {0x2994e64c2fdaffd1u, 0x6136e0d1ade18548u}, /* 113 */
    {0x33fa1fdf3bd1bfc5u, 0xb98499061959e699u}, /* 114 */
    {0x207c53eb856317dbu, 0x93f2dfa3cfd83020u}, /* 115 */
    {0x289b68e666bbddd2u, 0x78ef978cc3ce3c28u}, /* 116 */
    {0x32c24320006ad547u, 0x172b7d6ff4c1cb32u}, /* 117 */
    {0x3f72d3e800858a98u, 0xdcf65ccbf1f23dfeu}, /* 118 */
    {0x27a7c4710053769fu, 0x8a19f9ff773766bfu}, /* 119 */
    {0x3191b58d40685447u, 0x6ca0787f5505406fu}, /* 120 */
    {0x3df622f090826959u, 0x47c8969f2a46908au}, /* 121 */
    {0x26b9d5d65a5181d7u, 0xccdd5e237a6c1a57u}, /* 122 */
    {0x30684b4bf0e5e24du, 0xc014b5ac590720ecu}, /* 123 */
    {0x3c825e1eed1f5ae1u, 0x3019e3176f48e927u}, /* 124 */
    {0x25d17ad3543398ccu, 0xbe102deea58d91b9u}, /* 125 */
    {0x2f45d98829407effu, 0xed94396a4ef0f627u}, /* 126 */
    {0x3b174fea33909ebfu, 0xe8f947c4e2ad33b0u}, /* 127 */
    {0x24ee91f2603a6337u, 0xf19bccdb0dac404eu}, /* 128 */
    {0x2e2a366ef848fc05u, 0xee02c011d1175062u}, /* 129 */
    {0x39b4c40ab65b3b07u, 0x69837016455d247au}, /* 130 */
    {0x2410fa86b1f904e4u, 0xa1f2260deb5a36ccu}, /* 131 */
    {0x2d1539285e77461du, 0xca6eaf916630c47fu}, /* 132 */
    {0x385a8772761517a5u, 0x3d0a5b75bfbcf59fu}, /* 133 */
    {0x233894a789cd2ec7u, 0x4626792997d61984u}, /* 134 */
    {0x2c06b9d16c407a79u, 0x17b01773fdcb9fe4u}, /* 135 */
    {0x37086845c7509917u, 0x5d9c1d50fd3e87ddu}, /* 136 */
    {0x2265412b9c925faeu, 0x9a8192529e4714ebu}, /* 137 */
    {0x2afe917683b6f79au, 0x4121f6e745d8da25u}, /* 138 */
    {0x35be35d424a4b580u, 0xd16a74a1174f10aeu}, /* 139 */
    {0x2196e1a496e6f170u, 0x82e288e4ae916a6du}, /* 140 */
    {0x29fc9a0dbca0adccu, 0xa39b2b1dda35c508u}, /* 141 */
    {0x347bc0912bc8d93fu, 0xcc81f5e550c3364au}, /* 142 */
    {0x20cd585abb5d87c7u, 0xdfd139af527a01efu}, /* 143 */
    {0x2900ae716a34e9b9u, 0xd7c5881b2718826au}, /* 144 */
    {0x3340da0dc4c22428u, 0x4db6ea21f0dea304u}, /* 145 */
    {0x200888489af95699u, 0x30925255368b25e3u}, /* 146 */
    {0x280aaa5ac1b7ac3fu, 0x7cb6e6ea842def5cu}, /* 147 */
    {0x320d54f17225974fu, 0x5be4a0a525396b32u}, /* 148 */
    {0x3e90aa2dceaefd23u, 0x32ddc8ce6e87c5ffu}, /* 149 */
    {0x271a6a5ca12d5e35u, 0xffca9d810514dbbfu}, /* 150 */
    {0x30e104f3c978b5c3u, 0x7fbd44e1465a12afu}, /* 151 */
    {0x3d194630bbd6e334u, 0x5fac961997f0975bu}, /* 152 */
    {0x262fcbde75664e00u, 0xbbcbddcffef65e99u}, /* 153 */
    {0x2fbbbed612bfe180u, 0xeabed543feb3f63fu}, /* 154 */
    {0x3baaae8b976fd9e1u, 0x256e8a94fe60f3cfu}, /* 155 */
    {0x254aad173ea5e82cu, 0xb765169d1efc9861u}, /* 156 */
    {0x2e9d585d0e4f6237u, 0xe53e5c4466bbbe7au}, /* 157 */
    {0x3a44ae7451e33ac5u, 0xde8df355806aae18u}, /* 158 */
    {0x246aed08b32e04bbu, 0xab18b8157042accfu}, /* 159 */
    {0x2d85a84adff985eau, 0x95dee61acc535803u}, /* 160 */
    {0x38e7125d97f7e765u, 0x3b569fa17f682e03u}, /* 161 */
    {0x23906b7a7efaf09fu, 0x451623c4efa11cc2u}, /* 162 */
    {0x2c7486591eb9acc7u, 0x165bacb62b8963f3u}, /* 163 */
    {0x3791a7ef666817f8u, 0xdbf297e3b66bbcefu}, /* 164 */
    {0x22bb08f5a0010efbu, 0x89779eee52035616u}, /* 165 */
    {0x2b69cb33080152bau, 0x6bd586a9e6842b9bu}, /* 166 */
    {0x36443dffca01a769u, 0x06cae85460253682u}, /* 167 */
    {0x21eaa6bfde4108a1u, 0xa43ed134bc174211u}, /* 168 */
    {0x2a65506fd5d14acau, 0x0d4e8581eb1d1295u}, /* 169 */
    {0x34fea48bcb459d7cu, 0x90a226e265e4573bu}, /* 170 */
    {0x211f26d75f0b826du, 0xda65584d7faeb685u}, /* 171 */
    {0x2966f08d36ce6309u, 0x50feae60df9a6426u}, /* 172 */
    {0x33c0acb08481fbcbu, 0xa53e59f91780fd2fu}, /* 173 */
    {0x20586bee52d13d5fu, 0x4746f83baeb09e3eu}, /* 174 */
    {0x286e86e9e7858cb7u, 0x1918b64a9a5cc5cdu}, /* 175 */
    {0x328a28a46166efe4u, 0xdf5ee3dd40f3f740u}, /* 176 */
    {0x3f2cb2cd79c0abdeu, 0x17369cd49130f510u}, /* 177 */
    {0x277befc06c186b6au, 0xce822204dabe992au}, /* 178 */
    {0x315aebb0871e8645u, 0x8222aa86116e3f75u}, /* 179 */
    {0x3db1a69ca8e627d6u, 0xe2ab552795c9cf52u}, /* 180 */
    {0x268f0821e98fd8e6u, 0x4dab1538bd9e2193u}, /* 181 */
    {0x3032ca2a63f3cf1fu, 0xe115da86ed05a9f8u}, /* 182 */
    {0x3c3f7cb4fcf0c2e7u, 0xd95b5128a8471476u}, /* 183 */
    {0x25a7adf11e1679d0u, 0xe7d912b9692c6ccau}, /* 184 */
    {0x2f11996d659c1845u, 0x21cf5767c37787fcu}, /* 185 */
    {0x3ad5ffc8bf031e56u, 0x6a432d41b45569fbu}, /* 186 */
    {0x24c5bfdd7761f2f6u, 0x0269fc4910b5623du}, /* 187 */
    {0x2df72fd4d53a6fb3u, 0x83047b5b54e2baccu}, /* 188 */
    {0x3974fbca0a890ba0u, 0x63c59a322a1b697fu}, /* 189 */
    {0x23e91d5e4695a744u, 0x3e5b805f5a5121f0u}, /* 190 */
    {0x2ce364b5d83b1115u, 0x4df2607730e56a6cu}, /* 191 */
    {0x381c3de34e49d55au, 0xa16ef894fd1ec506u}, /* 192 */
    {0x2311a6ae10ee2558u, 0xa4e55b5d1e333b24u}, /* 193 */
    {0x2bd610599529aeaeu, 0xce1eb23465c009edu}, /* 194 */
    {0x36cb946ffa741a5au, 0x81a65ec17f300c68u}, /* 195 */
    {0x223f3cc5fc889078u, 0x9107fb38ef7e07c1u}, /* 196 */
    {0x2acf0bf77baab496u, 0xb549fa072b5d89b1u}, /* 197 */
    {0x3582cef55a9561bcu, 0x629c7888f634ec1eu}, /* 198 */
    {0x2171c159589d5d15u, 0xbda1cb5599e11393u}, /* 199 */
    {0x29ce31afaec4b45bu, 0x2d0a3e2b00595877u}, /* 200 */
    {0x3441be1b9a75e171u, 0xf84ccdb5c06fae95u}, /* 201 */
    {0x20a916d14089ace7u, 0x3b3000919845cd1du}, /* 202 */
    {0x28d35c8590ac1821u, 0x09fc00b5fe574065u}, /* 203 */
    {0x330833a6f4d71e29u, 0x4c7b00e37ded107eu}, /* 204 */
    {0x3fca4090b20ce5b3u, 0x9f99c11c5d68549du}, /* 205 */
    {0x27de685a6f480f90u, 0x43c018b1ba6134e2u}, /* 206 */
    {0x31d602710b1a1374u, 0x54b01ede28f9821bu}, /* 207 */
    {0x3e4b830d4de09851u, 0x69dc2695b337e2a1u}, /* 208 */
    {0x26ef31e850ac5f32u, 0xe229981d9002eda5u}, /* 209 */
    {0x30aafe6264d776ffu, 0x9ab3fe24f403a90eu}, /* 210 */
    {0x3cd5bdfafe0d54bfu, 0x8160fdae31049351u}, /* 211 */
    {0x260596bcdec854f7u, 0xb0dc9e8cdea2dc13u}, /* 212 */
    {0x2f86fc6c167a6a35u, 0x9d13c630164b9318u}, /* 213 */
    {0x3b68bb871c1904c3u, 0x0458b7bc1bde77ddu}, /* 214 */
    {0x25217534718fa2f9u, 0xe2b772d5916b0aebu}, /* 215 */
    {0x2e69d2818df38bb8u, 0x5b654f8af5c5cda5u}, /* 216 */
    {0x3a044721f1706ea6u, 0x723ea36db337410eu}, /* 217 */
    {0x2442ac7536e64528u, 0x07672624900288a9u}, /* 218 */
    {0x2d535792849fd672u, 0x0940efadb4032ad3u}, /* 219 */
    {0x38a82d7725c7cc0eu, 0x8b912b992103f588u}, /* 220 */
    {0x23691c6a779cdf89u, 0x173abb3fb4a27975u}, /* 221 */
    {0x2c4363851584176bu, 0x5d096a0fa1cb17d2u}, /* 222 */
    {0x37543c665ae51d46u, 0x344bc4938a3dddc7u}, /* 223 */
    {0x2294a5bff8cf324bu, 0xe0af5adc3666aa9cu}, /* 224 */
    {0x2b39cf2ff702fedeu, 0xd8db319344005543u}, /* 225 */
    {0x360842fbf4c3be96u, 0x8f11fdf815006a94u}, /* 226 */
    {0x21c529dd78fa571eu, 0x196b3ebb0d20429du}, /* 227 */
    {0x2a367454d738ece5u, 0x9fc60e69d0685344u}, /* 228 */
    {0x34c4116a0d07281fu, 0x07b7920444826815u}, /* 229 */
    {0x20fa8ae248247913u, 0x64d2bb42aad1810du}, /* 230 */
    {0x29392d9ada2d9758u, 0x3e076a135585e150u}, /* 231 */
    {0x3387790190b8fd2eu, 0x4d8944982ae759a4u}, /* 232 */
    {0x2034aba0fa739e3cu, 0xf075cadf1ad09807u}, /* 233 */
    {0x2841d689391085ccu, 0x2c933d96e184be08u}, /* 234 */
    {0x32524c2b8754a73fu, 0x37b80cfc99e5ed8au}, /* 235 */
    {0x3ee6df366929d10fu, 0x05a6103bc05f68edu}, /* 236 */
    {0x27504b8201ba22a9u, 0x6387ca25583ba194u}, /* 237 */
    {0x31245e628228ab53u, 0xbc69bcaeae4a89f9u}, /* 238 */
    {0x3d6d75fb22b2d628u, 0xab842bda59dd2c77u}, /* 239 */
    {0x266469bcf5afc5d9u, 0x6b329b68782a3bcbu}, /* 240 */
    {0x2ffd842c331bb74fu, 0xc5ff42429634cabdu}, /* 241 */
    {0x3bfce5373fe2a523u, 0xb77f12d33bc1fd6du}, /* 242 */
    {0x257e0f4287eda736u, 0x52af6bc405593e64u}, /* 243 */
    {0x2edd931329e91103u, 0xe75b46b506af8dfdu}, /* 244 */
    {0x3a94f7d7f4635544u, 0xe1321862485b717cu}, /* 245 */
    {0x249d1ae6f8be154bu, 0x0cbf4f3d6d3926eeu}, /* 246 */
    {0x2dc461a0b6ed9a9du, 0xcfef230cc88770a9u}, /* 247 */
    {0x39357a08e4a90145u, 0x43eaebcffaa94cd3u}, /* 248 */
    {0x23c16c458ee9a0cbu, 0x4a72d361fca9d004u}, /* 249 */
    {0x2cb1c756f2a408feu, 0x1d0f883a7bd44405u}, /* 250 */
    {0x37de392caf4d0b3du, 0xa4536a491ac95506u}, /* 251 */
    {0x22eae3bbed902706u, 0x86b4226db0bdd524u}, /* 252 */
    {0x2ba59caae8f430c8u, 0x28612b091ced4a6du}, /* 253 */
    {0x368f03d5a3313cfau, 0x327975cb64289d08u}, /* 254 */
    {0x2219626585fec61cu, 0x5f8be99f1e996225u}, /* 255 */
    {0x2a9fbafee77e77a3u, 0x776ee406e63fbaaeu}, /* 256 */
    {0x3547a9bea15e158cu, 0x554a9d089fcfa95au}, /* 257 */
    {0x214cca1724dacd77u, 0xb54ea22563e1c9d8u}, /* 258 */
    {0x299ffc9cee1180d5u, 0xa2a24aaebcda3c4eu}, /* 259 */
    {0x3407fbc42995e10bu, 0x0b4add5a6c10cb62u}, /* 260 */
    {0x2084fd5a99fdaca6u, 0xe70eca58838a7f1du}, /* 261 */
    {0x28a63cb1407d17d0u, 0xa0d27ceea46d1ee4u}, /* 262 */
    {0x32cfcbdd909c5dc4u, 0xc9071c2a4d88669du}, /* 263 */
    {0x3f83bed4f4c37535u, 0xfb48e334e0ea8045u}, /* 264 */
    {0x27b2574518fa2941u, 0xbd0d8e010c92902bu}, /* 265 */
    {0x319eed165f38b392u, 0x2c50f1814fb73436u}, /* 266 */
    {0x3e06a85bf706e076u, 0xb7652de1a3a50143u}, /* 267 */
    {0x26c429397a644c4au, 0x329f3cad064720cau}, /* 268 */
    {0x30753387d8fd5f5cu, 0xbf470bd847d8e8fdu}, /* 269 */
    {0x3c928069cf3cb733u, 0xef18cece59cf233cu}, /* 270 */
    {0x25db90422185f280u, 0x756f8140f8217605u}, /* 271 */
    {0x2f527452a9e76f20u, 0x92cb61913629d387u}, /* 272 */
    {0x3b27116754614ae8u, 0xb77e39f583b44868u}, /* 273 */
    {0x24f86ae094bcced1u, 0x72aee4397250ad41u}, /* 274 */
    {0x2e368598b9ec0285u, 0xcf5a9d47cee4d891u}, /* 275 */
    {0x39c426fee8670327u, 0x43314499c29e0eb6u}, /* 276 */
    {0x241a985f514061f8u, 0x89fecae019a2c932u}, /* 277 */
    {0x2d213e7725907a76u, 0xac7e7d98200b7b7eu}, /* 278 */
    {0x38698e14eef49914u, 0x579e1cfe280e5a5du}, /* 279 */
    {0x2341f8cd1558dfacu, 0xb6c2d21ed908f87bu}, /* 280 */
    {0x2c1277005aaf1797u, 0xe47386a68f4b3699u}, /* 281 */
    {0x371714c0715add7du, 0xdd906850331e043fu}, /* 282 */
    {0x226e6cf846d8ca6eu, 0xaa7a41321ff2c2a8u}, /* 283 */
    {0x2b0a0836588efd0au, 0x5518d17ea7ef7352u}, /* 284 */
    {0x35cc8a43eeb2bc4cu, 0xea5f05de51eb5026u}, /* 285 */
    {0x219fd66a752fb5b0u, 0x127b63aaf3331218u}, /* 286 */
    {0x2a07cc05127ba31cu, 0x171a3c95afffd69eu}, /* 287 */
    {0x3489bf06571a8be3u, 0x1ce0cbbb1bffcc45u}, /* 288 */
    {0x20d61763f670976du, 0xf20c7f54f17fdfabu}, /* 289 */
    {0x290b9d3cf40cbd49u, 0x6e8f9f2a2ddfd796u}, /* 290 */
    {0x334e848c310fec9bu, 0xca3386f4b957cd7bu}, /* 291 */
    {0x201112d79ea9f3e1u, 0x5e603458f3d6e06du}, /* 292 */
    {0x2815578d865470d9u, 0xb5f8416f30cc9888u}, /* 293 */
    {0x321aad70e7e98d10u, 0x237651cafcffbeaau}, /* 294 */
    {0x3ea158cd21e3f054u, 0x2c53e63dbc3fae55u}, /* 295 */
    {0x2724d780352e7634u, 0x9bb46fe695a7ccf5u}, /* 296 */
    {0x30ee0d60427a13c1u, 0xc2a18be03b11c033u}, /* 297 */
    {0x3d2990b8531898b2u, 0x3349eed849d6303fu}, /* 298 */
    {0x2639fa7333ef5f6fu, 0x600e35472e25de28u}, /* 299 */
    {0x2fc8791000eb374bu, 0x3811c298f9af55b1u}, /* 300 */
    {0x3bba97540126051eu, 0x0616333f381b2b1eu}, /* 301 */
    {0x25549e9480b7c332u, 0xc3cde0078310faf3u}, /* 302 */
    {0x2ea9c639a0e5b3ffu, 0x74c1580963d539afu}, /* 303 */
    {0x3a5437c8091f20ffu, 0x51f1ae0bbcca881bu}, /* 304 */
    {0x2474a2dd05b3749fu, 0x93370cc755fe9511u}, /* 305 */
    {0x2d91cb94472051c7u, 0x7804cff92b7e3a55u}, /* 306 */
    {0x38f63e7958e86639u, 0x560603f7765dc8eau}, /* 307 */
    {0x2399e70bd7913fe3u, 0xd5c3c27aa9fa9d93u}, /* 308 */
    {0x2c8060cecd758fdcu, 0xcb34b319547944f7u}, /* 309 */
    {0x37a0790280d2f3d3u, 0xfe01dfdfa9979635u}, /* 310 */
    {0x22c44ba19083d864u, 0x7ec12bebc9febde1u}, /* 311 */
    {0x2b755e89f4a4ce7du, 0x9e7176e6bc7e6d59u}, /* 312 */
    {0x3652b62c71ce021du, 0x060dd4a06b9e08b0u}, /* 313 */
    {0x21f3b1dbc720c152u, 0x23c8a4e44342c56eu}, /* 314 */
    {0x2a709e52b8e8f1a6u, 0xacbace1d541376c9u}, /* 315 */
    {0x350cc5e767232e10u, 0x57e981a4a918547bu}, /* 316 */
    {0x2127fbb0a075fccau, 0x36f1f106e9af34cdu}, /* 317 */
    {0x2971fa9cc8937bfcu, 0xc4ae6d48a41b0201u}, /* 318 */
    {0x33ce7943fab85afbu, 0xf5da089acd21c281u}, /* 319 */
    {0x20610bca7cb338ddu, 0x79a84560c0351991u}, /* 320 */
    {0x28794ebd1be00714u, 0xd81256b8f0425ff5u}, /* 321 */
    {0x3297a26c62d808dau, 0x0e16ec672c52f7f2u}, /* 322 */
    {0x3f3d8b077b8e0b10u, 0x919ca780f767b5eeu}, /* 323 */
    {0x278676e4ad38c6eau, 0x5b01e8b09aa0d1b5u}, /* 324 */
};

/* Clinger's fast path relies on each double operation rounding once, which
 * x87 extended-precision evaluation does not do. */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
#define CLINGER_FAST_PATH 1
#else
#define CLINGER_FAST_PATH 0
#endif

#if CLINGER_FAST_PATH
/* 10^0 .. 10^22, every one exact as a double (Clinger's fast path). */
static const double exact_pow10[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};
#endif

/* 5^0 .. 5^23: the powers of five below 2^55 (integer bounds in the printer). */
static const uint64_t pow5_u64[24] = {
    1u, 5u, 25u, 125u, 625u, 3125u, 15625u, 78125u, 390625u, 1953125u,
    9765625u, 48828125u, 244140625u, 1220703125u, 6103515625u,
    30517578125u, 152587890625u, 762939453125u, 3814697265625u,
    19073486328125u, 95367431640625u, 476837158203125u,
    2384185791015625u, 11920928955078125u,
};

#define FRAC_MASK ((UINT64_C(1) << 52) - 1)
#define HIDDEN_BIT (UINT64_C(1) << 52)
#define INF_BITS (UINT64_C(0x7ff) << 52)

/* Reinterprets a double's bits without a library call (union punning is
 * defined in GNU C and C11). */
static inline uint64_t bits_of(double d)
{
    union { double d; uint64_t u; } x;
    x.d = d;
    return x.u;
}

/* The double whose bits are u. */
static inline double double_of(uint64_t u)
{
    union { double d; uint64_t u; } x;
    x.u = u;
    return x.d;
}

/* Leading zero bits of a nonzero a. */
static inline int clz64(uint64_t a)
{
    return __builtin_clzll(a);
}

/* Full 64x64 -> 128-bit product: returns the low half, *hi the high half. */
static inline uint64_t mul64(uint64_t a, uint64_t b, uint64_t *hi)
{
#ifdef __SIZEOF_INT128__
    __extension__ typedef unsigned __int128 u128;
    u128 p = (u128)a * b;
    *hi = (uint64_t)(p >> 64);
    return (uint64_t)p;
#else
    uint64_t al = a & 0xffffffffu, ah = a >> 32;
    uint64_t bl = b & 0xffffffffu, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
    *hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    return (mid << 32) | (ll & 0xffffffffu);
#endif
}

/* floor(x / 2^s) for any sign of x, not relying on >> of negatives. */
static inline int64_t floor_shr(int64_t x, int s)
{
    if (x >= 0)
        return x >> s;
    return -(int64_t)((((uint64_t)0 - (uint64_t)x) + ((UINT64_C(1) << s) - 1)) >> s);
}

/* floor(q x log10 2), exact for |q| < 1100 (checked exhaustively). */
static inline int floor_log10_pow2(int q)
{
    return (int)floor_shr((int64_t)q * 78913, 18);
}

/* floor(log10(3/4 x 2^q)), exact for |q| < 1100 (checked exhaustively). */
static inline int floor_log10_3_4_pow2(int q)
{
    return (int)floor_shr((int64_t)q * 1262611 - 524032, 22);
}

/* floor(e x log2 10), exact for |e| < 400 (checked exhaustively). */
static inline int floor_log2_pow10(int e)
{
    return (int)floor_shr((int64_t)e * 435411, 17);
}

/* floor(n x g / 2^sh) for g = g_table[i] and 64 < sh < 128, given that the
 * result fits in 64 bits. */
static uint64_t mul_g_shift(uint64_t n, const uint64_t g[2], int sh)
{
    uint64_t a1, a0 = mul64(n, g[1], &a1);
    uint64_t b1, b0 = mul64(n, g[0], &b1);
    uint64_t w1 = a1 + b0;
    uint64_t w2 = b1 + (w1 < a1);
    (void)a0;
    return (w2 << (128 - sh)) | (w1 >> (sh - 64));
}

/* Whether n x 2^q x 10^-k is an integer (n > 0; q and k as in the printer,
 * so k >= 1 implies q >= k). */
static bool scaled_is_integer(uint64_t n, int q, int k)
{
    if (k > 0)
        return k <= 23 && n % pow5_u64[k] == 0;
    /* n x 5^-k x 2^(q-k): an integer iff 2^(k-q) divides n. */
    int twos = k - q;
    return twos <= 0 || (twos < 64 && n != 0 && __builtin_ctzll(n) >= twos);
}

/* Scaled rounding interval of the printer: the reals L and R (4 x the ends
 * of the interval of values that read back to v, over 10^k) as floors plus
 * the data to tell whether they are integers. */
typedef struct {
    uint64_t lo_floor;   /* floor(L) */
    uint64_t hi_floor;   /* floor(R) */
    uint64_t lo_n;       /* L = lo_n x 2^q / 10^k */
    uint64_t hi_n;       /* R = hi_n x 2^q / 10^k */
    int q, k;            /* the binary exponent of v and the decimal scale */
    bool closed;         /* whether the ends themselves read back to v */
} interval;

/* Whether 4m (m a multiple of the scale, at most v) is in the interval. */
static bool above_lower(const interval *iv, uint64_t m4)
{
    if (m4 != iv->lo_floor)
        return m4 > iv->lo_floor;
    return iv->closed && scaled_is_integer(iv->lo_n, iv->q, iv->k);
}

/* Whether 4m (m a multiple of the scale, above v) is in the interval. */
static bool below_upper(const interval *iv, uint64_t m4)
{
    if (m4 != iv->hi_floor)
        return m4 < iv->hi_floor;
    return iv->closed || !scaled_is_integer(iv->hi_n, iv->q, iv->k);
}

int flo_shortest(double d, char digits[17], int *exp10)
{
    uint64_t bits = bits_of(d) & ~(UINT64_C(1) << 63);
    uint64_t frac = bits & FRAC_MASK;
    int bexp = (int)(bits >> 52);
    if (bexp == 0x7ff || bits == 0) {
        *exp10 = 0;
        return 0;
    }
    uint64_t c = bexp ? frac | HIDDEN_BIT : frac;
    int q = bexp ? bexp - 1075 : -1074;
    /* Just above a power of two the gap below is half the gap above. */
    bool asym = frac == 0 && bexp > 1;
    int k = asym ? floor_log10_3_4_pow2(q) : floor_log10_pow2(q);
    const uint64_t *g = g_table[-k - G_EMIN];
    int sh = 125 - q - floor_log2_pow10(-k);
    interval iv;
    uint64_t cb = c << 2;
    iv.lo_n = asym ? cb - 1 : cb - 2;
    iv.hi_n = cb + 2;
    iv.lo_floor = mul_g_shift(iv.lo_n, g, sh);
    iv.hi_floor = mul_g_shift(iv.hi_n, g, sh);
    iv.q = q;
    iv.k = k;
    iv.closed = (c & 1) == 0;
    uint64_t vb = mul_g_shift(cb, g, sh);   /* floor(4v / 10^k) */
    uint64_t s = vb >> 2;                   /* floor(v / 10^k) */
    uint64_t dec;                           /* the digits, as an integer */

    /* One digit fewer: at most one multiple of 10 x 10^k is in the interval. */
    uint64_t sp = s / 10;
    bool u_in = sp > 0 && above_lower(&iv, 40 * sp);
    bool w_in = below_upper(&iv, 40 * sp + 40);
    if (u_in != w_in) {
        dec = sp + w_in;
        k++;
    } else {
        u_in = above_lower(&iv, 4 * s);
        w_in = below_upper(&iv, 4 * s + 4);
        if (u_in != w_in) {
            dec = s + w_in;
        } else {
            /* Both in (never neither): the closer, or the even on a tie. */
            uint64_t mid = 4 * s + 2;
            bool up = vb > mid || (vb == mid && (!scaled_is_integer(cb, q, k) || (s & 1)));
            dec = s + up;
        }
    }

    /* Drop trailing zeros (at most 15: dec < 10^16 at scale k+1, and at
     * scale k it never ends in 0), then write the digits out. */
    if (dec % 100000000 == 0) {
        dec /= 100000000;
        k += 8;
    }
    if (dec % 10000 == 0) {
        dec /= 10000;
        k += 4;
    }
    if (dec % 100 == 0) {
        dec /= 100;
        k += 2;
    }
    while (dec % 10 == 0) {
        dec /= 10;
        k += 1;
    }
    char buf[20];
    int n = 0;
    while (dec != 0 && n < 20) {
        buf[19 - n] = (char)('0' + dec % 10);
        dec /= 10;
        n++;
    }
    if (n > 17)   /* cannot happen: dec < 2^53 x 10 < 10^17 */
        n = 17;
    for (int i = 0; i < n; i++)
        digits[i] = buf[20 - n + i];
    *exp10 = k + n;
    return n;
}

/* The bits of the double nearest to (m + f) x 2^e, where 0 <= f < 1 and
 * f > 0 iff sticky; |e| < 2^62. Infinity when too large. */
static uint64_t round_to_bits(uint64_t m, int64_t e, bool sticky)
{
    if (m == 0)   /* only from non-digit input to flo_from_decimal */
        return 0;
    int lz = clz64(m);
    m <<= lz;
    e -= lz;
    int64_t be = e + 63;           /* exponent of the leading bit */
    if (be > 1023)
        return INF_BITS;
    if (be < -1075)
        return 0;
    /* Bits of m below the last one kept: 11 for normals, more below 2^-1022. */
    int drop = be >= -1022 ? 11 : (int)(11 + (-1022 - be));
    uint64_t kept, rest, half;
    if (drop == 64) {
        kept = 0;
        rest = m;
        half = UINT64_C(1) << 63;
    } else {
        kept = m >> drop;
        rest = m & ((UINT64_C(1) << drop) - 1);
        half = UINT64_C(1) << (drop - 1);
    }
    if (rest > half || (rest == half && (sticky || (kept & 1))))
        kept++;
    /* A carry out of the mantissa moves into the exponent field by itself,
     * up to infinity and from the largest subnormal to the least normal. */
    if (be >= -1022)
        return ((uint64_t)(be + 1022) << 52) + kept;
    return kept;
}

/* The bits of the double nearest to the 192-bit p2:p1:p0 x 2^e. */
static uint64_t round_192(uint64_t p2, uint64_t p1, uint64_t p0, int e)
{
    if (p2 == 0) {
        if (p1 == 0)
            return round_to_bits(p0, e, false);
        p2 = p1;
        p1 = p0;
        p0 = 0;
        e -= 64;
    }
    int lz = clz64(p2);
    uint64_t top = lz ? (p2 << lz) | (p1 >> (64 - lz)) : p2;
    uint64_t low = lz ? p1 << lz : p1;
    return round_to_bits(top, (int64_t)e + 128 - lz, low != 0 || p0 != 0);
}

/* The bits of the double nearest to n x t x 2^e, t = th:tl. */
static uint64_t round_product(uint64_t n, uint64_t th, uint64_t tl, int e)
{
    uint64_t a1, a0 = mul64(n, tl, &a1);
    uint64_t b1, b0 = mul64(n, th, &b1);
    uint64_t w1 = a1 + b0;
    uint64_t w2 = b1 + (w1 < a1);
    return round_192(w2, w1, a0, e);
}

/* Limbs of the slow path's big integers: the largest is under 2670 bits
 * (800 digits, or 2c+1 times 5^1123, each shifted to meet the other). */
#define BIG_LIMBS 88

/* A nonnegative big integer of fixed capacity. */
typedef struct {
    uint32_t w[BIG_LIMBS];   /* base-2^32 limbs, least significant first */
    int n;                   /* limbs in use; w[n-1] != 0 when n > 0 */
} big;

/* b = v. */
static void big_set(big *b, uint64_t v)
{
    b->n = 0;
    while (v != 0) {
        b->w[b->n++] = (uint32_t)v;
        v >>= 32;
    }
}

/* b = b x mul + add. */
static void big_muladd(big *b, uint32_t mul, uint32_t add)
{
    uint64_t carry = add;
    for (int i = 0; i < b->n; i++) {
        uint64_t t = (uint64_t)b->w[i] * mul + carry;
        b->w[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry != 0 && b->n < BIG_LIMBS)
        b->w[b->n++] = (uint32_t)carry;
}

/* b = b x 5^e. */
static void big_mul_pow5(big *b, int64_t e)
{
    for (; e >= 13; e -= 13)
        big_muladd(b, 1220703125u, 0);
    if (e > 0)
        big_muladd(b, (uint32_t)pow5_u64[e], 0);
}

/* b = b x 2^s (s >= 0). */
static void big_shl(big *b, int64_t s)
{
    if (b->n == 0 || s == 0 || b->n >= BIG_LIMBS)
        return;
    int64_t words = s / 32;
    int bitsh = (int)(s % 32);
    if (b->n + words + 1 > BIG_LIMBS)   /* cannot happen (see BIG_LIMBS) */
        words = BIG_LIMBS - 1 - b->n;
    int w = (int)words;
    b->w[b->n + w] = 0;
    for (int i = b->n - 1; i >= 0; i--) {
        uint64_t x = (uint64_t)b->w[i] << bitsh;
        b->w[i + w + 1] |= (uint32_t)(x >> 32);
        b->w[i + w] = (uint32_t)x;
    }
    for (int i = 0; i < w; i++)
        b->w[i] = 0;
    b->n += w + 1;
    while (b->n > 0 && b->w[b->n - 1] == 0)
        b->n--;
}

/* -1, 0 or 1 as a < b, a == b, a > b. */
static int big_cmp(const big *a, const big *b)
{
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    for (int i = a->n - 1; i >= 0; i--)
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    return 0;
}

/* Most significant digits the slow path reads (see the file header). */
#define MAX_SIG_DIGITS 800

/* Decides between the double with bits cand and the next one up for the
 * decimal value (nsig significant digits at sig, sig[0] != '0', the last one
 * not '0') x 10^(point - nsig), known to lie between them. */
static uint64_t slow_path(const char *sig, size_t nsig, int64_t point, uint64_t cand)
{
    uint64_t frac = cand & FRAC_MASK;
    int bexp = (int)(cand >> 52);
    uint64_t c = bexp ? frac | HIDDEN_BIT : frac;
    int64_t q = bexp ? bexp - 1075 : -1074;
    size_t nd = nsig < MAX_SIG_DIGITS ? nsig : MAX_SIG_DIGITS;
    bool sticky = nsig > nd;   /* the last digit is nonzero and was dropped */
    int64_t e10 = point - (int64_t)nd;

    /* lhs = the digits, scaled; rhs = the midpoint 2c+1 x 2^(q-1), scaled. */
    big lhs, rhs;
    big_set(&lhs, 0);
    size_t i = 0;
    while (i < nd) {
        uint32_t chunk = 0, scale = 1;
        for (int j = 0; j < 9 && i < nd; j++, i++) {
            chunk = chunk * 10 + (uint32_t)(sig[i] - '0');
            scale *= 10;
        }
        if (lhs.n == 0)
            big_set(&lhs, chunk);
        else
            big_muladd(&lhs, scale, chunk);
    }
    big_set(&rhs, 2 * c + 1);
    if (e10 >= 0)
        big_mul_pow5(&lhs, e10);
    else
        big_mul_pow5(&rhs, -e10);
    int64_t lbin = e10, rbin = q - 1;   /* the two sides' powers of two */
    if (lbin > rbin)
        big_shl(&lhs, lbin - rbin);
    else
        big_shl(&rhs, rbin - lbin);
    int cmp = big_cmp(&lhs, &rhs);
    if (cmp == 0)
        cmp = sticky ? 1 : (c & 1) ? 1 : -1;
    return cmp > 0 ? cand + 1 : cand;
}

double flo_from_decimal(const char *digits, size_t n, int64_t exp10)
{
    size_t first = 0;
    while (first < n && digits[first] == '0')
        first++;
    if (first == n)
        return 0.0;
    size_t last = n - 1;
    while (digits[last] == '0')
        last--;
    size_t nsig = last - first + 1;

    /* The value lies in [10^(point-1), 10^point). */
    uint64_t span = (uint64_t)(n - first);
    int64_t point;
    if (span > (uint64_t)1 << 62)
        span = (uint64_t)1 << 62;
    if (exp10 > INT64_MAX - (int64_t)span)
        point = INT64_MAX;
    else
        point = exp10 + (int64_t)span;
    if (point <= -324)          /* below 10^-324 < 2^-1075: rounds to 0 */
        return 0.0;
    if (point >= 310)           /* at least 10^309 > DBL_MAX */
        return double_of(INF_BITS);

    size_t nd = nsig < 19 ? nsig : 19;
    uint64_t dec = 0;
    for (size_t i = 0; i < nd; i++)
        dec = dec * 10 + (uint64_t)(digits[first + i] - '0');
    int e10 = (int)(point - (int64_t)nd);   /* in [-342, 308] */
    bool exact = nsig == nd;

#if CLINGER_FAST_PATH
    /* Clinger: an exact integer times or over an exact power of ten, one
     * correctly rounded operation. */
    if (exact && dec < (UINT64_C(1) << 53)) {
        if (e10 >= 0 && e10 <= 22)
            return (double)(int64_t)dec * exact_pow10[e10];
        if (e10 < 0 && e10 >= -22)
            return (double)(int64_t)dec / exact_pow10[-e10];
        if (e10 > 22 && e10 <= 22 + 15) {
            uint64_t big10 = (uint64_t)exact_pow10[e10 - 22];
            if (dec <= ((UINT64_C(1) << 53) - 1) / big10)
                return (double)(int64_t)(dec * big10) * exact_pow10[22];
        }
    }
#endif

    /* Enclose the value: dec x T x 2^r <= value <= (dec + inexact) x
     * (T + 1) x 2^r, with T + 1 = g (T = g - 1 is the table's floor). */
    const uint64_t *g = g_table[e10 - G_EMIN];
    int r = floor_log2_pow10(e10) - 125;
    uint64_t tl = g[1] - 1, th = g[0] - (g[1] == 0);
    uint64_t lo = round_product(dec, th, tl, r);
    uint64_t hi = round_product(dec + !exact, g[0], g[1], r);
    if (lo == hi)
        return double_of(lo);
    return double_of(slow_path(digits + first, nsig, point, lo));
}

void flo_decompose(double d, uint64_t *m, int *e)
{
    uint64_t bits = bits_of(d);
    uint64_t frac = bits & FRAC_MASK;
    int bexp = (int)((bits >> 52) & 0x7ff);
    if (bexp != 0) {
        *m = frac | HIDDEN_BIT;
        *e = bexp - 1075;
    } else {
        *m = frac;
        *e = frac ? -1074 : 0;
    }
}

double flo_ldexp_u64(uint64_t m, int64_t e)
{
    if (m == 0 || e < -1200)
        return 0.0;
    if (e > 1100)
        return double_of(INF_BITS);
    return double_of(round_to_bits(m, e, false));
}
