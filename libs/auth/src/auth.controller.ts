import { Body, Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorResponse } from '@pcn/common';
import { AuthService } from './auth.service';
import { LoginDto, RefreshDto, TokenPairResponse } from './dto/auth.dto';
import { Authenticated, Public } from './guards/access.decorators';
import { LocalAuthGuard } from './guards/local-auth.guard';
import { CurrentUser } from './guards/current-user.decorator';
import { Principal } from './principal';
import { clientInfoOf } from './security/auth-events.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Sign in with email and password; returns a short-lived access token and a one-use refresh token. */
  @Public()
  @UseGuards(LocalAuthGuard)
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairResponse })
  @ApiUnauthorizedResponse({ type: ErrorResponse })
  login(@Body() _body: LoginDto, @CurrentUser() user: Principal): Promise<TokenPairResponse> {
    return this.auth.issueTokens(user);
  }

  /** Exchange a refresh token for a new pair. The old refresh token stops working. */
  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairResponse })
  @ApiUnauthorizedResponse({ type: ErrorResponse })
  refresh(@Body() body: RefreshDto): Promise<TokenPairResponse> {
    return this.auth.refresh(body.refreshToken);
  }

  /** Sign out the session this refresh token belongs to (its refresh and access tokens stop working at once). The token's secret must match. */
  @Public()
  @Post('logout')
  @HttpCode(204)
  @ApiUnauthorizedResponse({ type: ErrorResponse })
  async logout(@Body() body: RefreshDto, @Req() req: Request): Promise<void> {
    await this.auth.logout(body.refreshToken, clientInfoOf(req));
  }

  /** Sign out everywhere: every API session and page session of the signed-in person ends at once. */
  @Authenticated()
  @Post('logout-everywhere')
  @HttpCode(204)
  async logoutEverywhere(@CurrentUser() user: Principal, @Req() req: Request): Promise<void> {
    await this.auth.logoutEverywhere(user, 'api', clientInfoOf(req));
  }

  @Authenticated()
  @Get('me')
  me(@CurrentUser() user: Principal): Principal {
    return user;
  }
}
